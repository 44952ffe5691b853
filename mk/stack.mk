# The production stack (docs/production.md): nginx on STACK_PORT in front of RASA_REPLICAS
# Rasa servers and ACTION_REPLICAS action servers, PostgreSQL/Redis/RabbitMQ stores.
stack_saved_goal := $(.DEFAULT_GOAL)
.PHONY: stack-up stack-down bench-stack bench-sockets profile
stack-up: venv model  ## start the production stack (nginx, replicas, PostgreSQL, Redis, RabbitMQ)
	@scripts/stack.sh up
stack-down:  ## stop the production stack
	@scripts/stack.sh down
bench-stack: venv model  ## embedded vs stack at 1 to 64 conversations
	$(PY) scripts/bench_stack.py
profile: venv model  ## where a turn's CPU time goes (py-spy)
	$(PY) scripts/profile_turns.py
.DEFAULT_GOAL := $(stack_saved_goal)

# The stack tests (tests/production/test_stack*.py) need Debian's nginx.
NGINX := /usr/sbin/nginx
$(NGINX):
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx
pytest: $(NGINX)

# Widget visitors held at once through nginx (SOCKETS=10000 by default).
bench-sockets: venv model  ## widget sockets held at once through nginx (10,000)
	$(PY) scripts/bench_sockets.py --sockets $${SOCKETS:-10000}
