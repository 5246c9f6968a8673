"""The bottom layer every other layer may use: the error tree, redaction, logging, progress.

Nothing here imports another part of sfupgrade, so any module can report an error, mask a
secret or draw progress without pulling in a layer above it.
"""
