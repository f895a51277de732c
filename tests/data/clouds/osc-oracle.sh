#!/usr/bin/env bash
# Regenerates expected/*.json: what python-openstackclient (`openstack configuration show`)
# resolves for each scenario of scenarios.json, on clouds.yaml and secure.yaml of this
# directory, with nothing else in the environment. Needs `openstack` on PATH (pip install
# python-openstackclient); not run by the tests, which compare sdconform's resolution with
# these files. Usage: tests/data/clouds/osc-oracle.sh [path/to/openstack]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
openstack="${1:-openstack}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
python3 - "$here" "$openstack" "$home" <<'PY'
import json, os, subprocess, sys
here, openstack, home = sys.argv[1:4]
version = subprocess.run([openstack, "--version"], capture_output=True, text=True)
for scenario in json.load(open(os.path.join(here, "scenarios.json"))):
    env = {"HOME": home, "PATH": os.environ["PATH"]}
    env.update(scenario["env"])
    done = subprocess.run([openstack, *scenario["args"], "configuration", "show", "-f", "json", "--unmask"],
                          cwd=here, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{scenario['name']}: {done.stderr}")
    shown = json.loads(done.stdout)
    shown["_oracle"] = (version.stdout or version.stderr).strip()
    with open(os.path.join(here, "expected", scenario["name"] + ".json"), "w") as out:
        json.dump(shown, out, indent=2, sort_keys=True)
        out.write("\n")
    print(scenario["name"])
PY
