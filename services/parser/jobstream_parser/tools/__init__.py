"""The parser's offline tools: its evaluation on labelled real postings (`jobstream eval
parser`) and the recipes that rebuild their texts. Never run by the service."""
