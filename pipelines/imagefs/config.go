package imagefs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Config is the part of an image configuration that audits read: the
// runtime settings of the OCI image config's "config" object, with Docker's
// Healthcheck extension, and the build history.
type Config struct {
	Architecture string
	OS           string
	// User is the USER instruction's value, "user", "uid", "user:group" or
	// "uid:gid". Empty means root.
	User string
	// Env holds "NAME=value" strings in image order.
	Env    []string
	Labels map[string]string
	// Healthcheck is nil when the image sets none.
	Healthcheck *Healthcheck
	// ExposedPorts are sorted, such as "8080/tcp".
	ExposedPorts []string
	Entrypoint   []string
	Cmd          []string
	WorkingDir   string
	StopSignal   string
	// Volumes are sorted mount points.
	Volumes []string
	// DiffIDs are the digests of the uncompressed layers, from the base up.
	DiffIDs []string
	History []History
}

// Healthcheck is a HEALTHCHECK instruction.
type Healthcheck struct {
	// Test is the command: ["NONE"] disables a health check inherited from
	// the base image, ["CMD", args...] runs args directly and
	// ["CMD-SHELL", command] runs command with the default shell.
	Test        []string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
}

// History is one build step, as `docker history` shows it.
type History struct {
	Created    time.Time
	CreatedBy  string
	Comment    string
	EmptyLayer bool
}

// Getenv returns the value of the environment variable name and whether the
// image sets it.
func (c Config) Getenv(name string) (string, bool) {
	for _, kv := range c.Env {
		key, value, _ := strings.Cut(kv, "=")
		if key == name {
			return value, true
		}
	}
	return "", false
}

// configFile is the JSON layout of an OCI or Docker image configuration.
type configFile struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		User         string              `json:"User"`
		Env          []string            `json:"Env"`
		Labels       map[string]string   `json:"Labels"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
		Entrypoint   []string            `json:"Entrypoint"`
		Cmd          []string            `json:"Cmd"`
		WorkingDir   string              `json:"WorkingDir"`
		StopSignal   string              `json:"StopSignal"`
		Volumes      map[string]struct{} `json:"Volumes"`
		Healthcheck  *struct {
			Test        []string      `json:"Test"`
			Interval    time.Duration `json:"Interval"`
			Timeout     time.Duration `json:"Timeout"`
			StartPeriod time.Duration `json:"StartPeriod"`
			Retries     int           `json:"Retries"`
		} `json:"Healthcheck"`
	} `json:"config"`
	RootFS struct {
		Type    string   `json:"type"`
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
	History []struct {
		Created    time.Time `json:"created"`
		CreatedBy  string    `json:"created_by"`
		Comment    string    `json:"comment"`
		EmptyLayer bool      `json:"empty_layer"`
	} `json:"history"`
}

// ParseConfig decodes an OCI or Docker image configuration JSON. It fails
// when raw is not a JSON object of that layout.
func ParseConfig(raw []byte) (Config, error) {
	var file configFile
	if err := json.Unmarshal(raw, &file); err != nil {
		return Config{}, fmt.Errorf("decoding image config: %w", err)
	}

	c := file.Config
	cfg := Config{
		Architecture: file.Architecture,
		OS:           file.OS,
		User:         c.User,
		Env:          c.Env,
		Labels:       c.Labels,
		ExposedPorts: sortedKeys(c.ExposedPorts),
		Entrypoint:   c.Entrypoint,
		Cmd:          c.Cmd,
		WorkingDir:   c.WorkingDir,
		StopSignal:   c.StopSignal,
		Volumes:      sortedKeys(c.Volumes),
		DiffIDs:      file.RootFS.DiffIDs,
	}
	if c.Healthcheck != nil {
		cfg.Healthcheck = &Healthcheck{
			Test:        c.Healthcheck.Test,
			Interval:    c.Healthcheck.Interval,
			Timeout:     c.Healthcheck.Timeout,
			StartPeriod: c.Healthcheck.StartPeriod,
			Retries:     c.Healthcheck.Retries,
		}
	}
	for _, h := range file.History {
		cfg.History = append(cfg.History, History{
			Created:    h.Created,
			CreatedBy:  h.CreatedBy,
			Comment:    h.Comment,
			EmptyLayer: h.EmptyLayer,
		})
	}
	return cfg, nil
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
