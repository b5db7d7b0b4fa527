#!/bin/sh
# What test/host/runTests.ts gives @vscode/test-electron as the VS Code executable when no desktop VS Code is set:
# the compiled launcher, which runs the tests in code-server and headless Chromium.
exec node "$(dirname "$0")/../../out/test/host/launcher.js" "$@"
