"""The action server as `make run` and the stack run it: rasa_sdk's app, on loopback, behind a
shared secret, so nobody but our Rasa servers can call `action_save_lead` with a made-up tracker."""
