#!/usr/bin/env bash
# The main job on the demo: the demo event (configs/demo.yaml), every sample plugin as a team on
# every challenge, judged into the result store results/demo-event, then the leaderboard and its
# HTML page. (A non-OK verdict is part of the demo: nearest-centroid refuses regression.) Run it
# again and nothing is judged twice; `./scripts/demo.sh --rejudge` judges everything again.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./build/bin/gauntlet run configs/demo.yaml "$@"
