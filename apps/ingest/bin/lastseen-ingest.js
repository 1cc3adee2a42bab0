#!/usr/bin/env node
// The command's entry: a committed file, so the bin link exists before the first build (the
// workspace links it at install time); the command itself is the built dist/cli.js.
import '../dist/cli.js'
