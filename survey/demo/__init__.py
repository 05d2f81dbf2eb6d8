"""The demo commune: `flask seed-demo`."""
