"""workbench: a research and survey-analysis workbench for reintegration studies.

Analysis lives in this package (tidy DataFrames in, tidy DataFrames out); notebooks in
``notebooks/`` orchestrate and narrate; ``workbench build`` turns them into offline reports.
"""

__version__ = "0.1.0"
