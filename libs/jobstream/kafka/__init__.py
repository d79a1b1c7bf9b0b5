"""Kafka adapters: client configuration, topic administration, producers, faust apps."""
