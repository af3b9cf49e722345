"""The text: the content schema, loading YAML with source locations, validation, the model, lint."""
