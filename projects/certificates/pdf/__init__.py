"""The PDF stylesheet, read by WeasyPrint from this folder (never served, never fetched)."""
from pathlib import Path

STYLESHEET = Path(__file__).parent / "document.css"
