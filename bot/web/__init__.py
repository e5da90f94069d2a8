"""The coordinators' web dashboard: server-rendered pages over the same services the chat uses."""
