"""A person takes over a conversation: the queue, presence and the bus to the Rasa servers."""
