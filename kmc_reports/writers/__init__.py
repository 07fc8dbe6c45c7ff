"""Writers: one per output format, all reading the same document model."""
