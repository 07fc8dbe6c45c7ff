from .interrupt import run

run()
