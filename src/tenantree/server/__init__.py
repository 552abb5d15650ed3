"""The app assembled from its adapters: the API, the console and SCIM, over tenantree.web."""
