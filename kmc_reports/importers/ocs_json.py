"""Placeholder replaced below."""
def read_ocs_json(doc, path, warn):
    raise NotImplementedError
