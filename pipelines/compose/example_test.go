package compose_test

import (
	"fmt"

	"github.com/atlasia-ai/supplychain/pipelines/compose"
)

func ExampleCheck() {
	data := []byte(`services:
  web:
    image: nginx:1.27.3
    read_only: true
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 128M, pids: 64}
    ports:
      - "8080:80"
`)
	found, err := compose.Check(data, "compose.yml", compose.WithTarget("compose/compose.yml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range found {
		fmt.Printf("%s:%d: %s %s: %s\n", f.Path, f.Line, f.Severity, f.ID, f.Message)
	}
	// Output:
	// compose.yml:11: MEDIUM ATL-CMP-011: service "web" publishes port "8080:80" on all host interfaces. Bind it to one host address, for example "127.0.0.1:8080:80", or host_ip: 127.0.0.1 in the long syntax.
}
