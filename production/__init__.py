"""What only the production stack uses (docs/production.md): the Redis lock store, the RabbitMQ
event broker and the nginx configuration."""
