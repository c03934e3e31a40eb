"""The citizen portal: confidential two-way tips, lost articles, security requests, events and
Open311."""
