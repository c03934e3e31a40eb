"""The MIS: pendency, flow, dispatch and bottlenecks for an office and everything under it."""
