"""What an operator watches: JSON request logs and Prometheus metrics.

Sits at the top of the layers, beside api/ and config/: it may import the domains, and
none of them imports it (they send core.events signals, which it counts).
"""
