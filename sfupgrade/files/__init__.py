"""Files, read and written faithfully: bounded reads, strict JSON, metadata XML, projects.

Every input file goes through :func:`sfupgrade.files.jsonio.read_bytes_bounded` (regular files
only, a size limit); XML is parsed with entities and network off; writes are atomic and refuse a
file changed since it was planned (:mod:`sfupgrade.files.atomic`).
"""
