// Atlasia frontend: lists the orchestrator's models and submits tasks through
// the nginx proxy at /api/. The Content-Security-Policy forbids inline
// scripts, so all behavior lives in this file. Text from the API is inserted
// with textContent only, never as HTML.
"use strict";

const MAX_PROMPT_LENGTH = 8000;

const elements = {
  refreshModels: document.getElementById("refresh-models"),
  modelsStatus: document.getElementById("models-status"),
  modelList: document.getElementById("model-list"),
  form: document.getElementById("task-form"),
  model: document.getElementById("task-model"),
  prompt: document.getElementById("task-prompt"),
  promptLength: document.getElementById("prompt-length"),
  submit: document.getElementById("task-submit"),
  taskStatus: document.getElementById("task-status"),
  submittedEmpty: document.getElementById("submitted-empty"),
  submittedTable: document.getElementById("submitted-table"),
  submittedRows: document.getElementById("submitted-rows"),
};

function setStatus(element, message, kind) {
  element.textContent = message;
  element.classList.toggle("error", kind === "error");
  element.classList.toggle("ok", kind === "ok");
}

// Sends a request and returns the parsed JSON body. Throws an Error whose
// message is the API's "error" or "reason" field, or the HTTP status.
async function requestJSON(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch (networkError) {
    throw new Error("the server cannot be reached (" + networkError.message + ")");
  }

  let body = null;
  if ((response.headers.get("Content-Type") || "").includes("application/json")) {
    body = await response.json();
  }
  if (!response.ok) {
    const detail = body && (body.error || body.reason);
    throw new Error(detail || "HTTP " + response.status + " " + response.statusText);
  }
  return body;
}

async function loadModels() {
  elements.refreshModels.disabled = true;
  setStatus(elements.modelsStatus, "Loading models…");
  try {
    const body = await requestJSON("/api/v1/models");
    const names = (body.models || []).map((model) => model.name);
    renderModels(names);
    setStatus(elements.modelsStatus, names.length + (names.length === 1 ? " model available." : " models available."), "ok");
  } catch (error) {
    renderModels([]);
    setStatus(elements.modelsStatus, "Could not load models: " + error.message, "error");
  } finally {
    elements.refreshModels.disabled = false;
  }
}

function renderModels(names) {
  const selected = elements.model.value;
  elements.modelList.replaceChildren();
  elements.model.replaceChildren();

  for (const name of names) {
    const item = document.createElement("li");
    item.textContent = name;
    elements.modelList.append(item);

    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    elements.model.append(option);
  }
  if (names.length === 0) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = "No models available";
    elements.model.append(option);
  } else if (names.includes(selected)) {
    elements.model.value = selected;
  }

  elements.model.disabled = names.length === 0;
  elements.submit.disabled = names.length === 0;
}

function updatePromptLength() {
  // Count code points, as the API does, not UTF-16 code units.
  elements.promptLength.textContent = String([...elements.prompt.value].length);
}

async function submitTask(event) {
  event.preventDefault();

  const model = elements.model.value;
  const prompt = elements.prompt.value;
  if (model === "") {
    setStatus(elements.taskStatus, "Choose a model.", "error");
    return;
  }
  if (prompt.trim() === "") {
    setStatus(elements.taskStatus, "Enter a prompt.", "error");
    elements.prompt.focus();
    return;
  }
  if ([...prompt].length > MAX_PROMPT_LENGTH) {
    setStatus(elements.taskStatus, "The prompt is longer than " + MAX_PROMPT_LENGTH + " characters.", "error");
    return;
  }

  elements.submit.disabled = true;
  setStatus(elements.taskStatus, "Submitting…");
  try {
    const task = await requestJSON("/api/v1/tasks", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model, prompt }),
    });
    setStatus(elements.taskStatus, "Task " + task.id + " created.", "ok");
    addSubmittedTask(task);
    elements.prompt.value = "";
    updatePromptLength();
  } catch (error) {
    setStatus(elements.taskStatus, "Task not created: " + error.message, "error");
  } finally {
    elements.submit.disabled = elements.model.disabled;
  }
}

function addSubmittedTask(task) {
  const row = document.createElement("tr");
  const created = new Date(task.created_at);
  for (const text of [task.id, task.model, task.status, created.toLocaleString()]) {
    const cell = document.createElement("td");
    cell.textContent = text;
    row.append(cell);
  }
  elements.submittedRows.prepend(row);
  elements.submittedTable.hidden = false;
  elements.submittedEmpty.hidden = true;
}

elements.refreshModels.addEventListener("click", loadModels);
elements.prompt.addEventListener("input", updatePromptLength);
elements.form.addEventListener("submit", submitTask);
loadModels();
