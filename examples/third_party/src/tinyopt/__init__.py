"""tinyopt: two accelerated first-order methods, written once over anything that adds, subtracts and scales.

    import tinyopt
    x = tinyopt.minimise(tinyopt.AGD(beta=4.0), x0, grad, iterations=100)
"""
from tinyopt.agd import AGD, agd
from tinyopt.method import Method, minimise
from tinyopt.ogm import OGM, ogm

__version__ = "0.1.0"
__all__ = ["AGD", "OGM", "Method", "agd", "minimise", "ogm"]
