"""The citizen portal: confidential two-way tips, lost articles, security requests, events, Open311."""
