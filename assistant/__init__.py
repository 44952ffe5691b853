"""Code shared by the NLU pipeline, the action server and the channels."""
