"""HTTP handlers, one module per resource; each registers its routes on a RouteTableDef."""
