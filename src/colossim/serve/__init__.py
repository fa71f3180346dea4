"""Serving model: what a machine serves, at what latency, power and cost (docs/serve.md).

Public API:
  evaluate_serving(ServeModel, ServeLayoutArrays, HardwareArrays, prompt, output) -> ServeArrays   vectorised
  serve_capacity(model, machine, gpus, target, mix) -> ServeCapacity                             one answer
  serve_frame(...) -> pandas.DataFrame;  validate_serving() -> ServeValidationReport
"""
