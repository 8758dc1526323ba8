"""Songs: the catalog's central resource."""
