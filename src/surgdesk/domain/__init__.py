"""What is true of surgery scheduling whatever the storage: entities, enums, pure rules."""
