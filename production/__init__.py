"""Production stack (docs/production.md): Rasa's CLI with the degradation hook, nginx config."""
