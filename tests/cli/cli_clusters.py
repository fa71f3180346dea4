"""Small cluster files shared by the CLI tests."""

NO_GPU_FIRST = """\
name: storage-first
site: us_average
fabric: {switch: spectrum4_sn5600}
storage: {write_gb_s: 500, read_gb_s: 1000, capacity_pb: 5}
phases:
  - {name: hall, start: 2024-01-01, add: [], source: test}
  - {name: gpus, start: 2024-03-01, add: [{system: dgx_h100, count: 16}], source: test}
"""
