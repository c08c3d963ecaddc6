"""Rectification notices (整改通知书): content, fonts, HTML and PDF (GB/T 9704 layout)."""
