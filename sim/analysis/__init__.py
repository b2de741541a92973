"""Analysis of result files (never the model): comparison, robustness, sensitivity, report."""
