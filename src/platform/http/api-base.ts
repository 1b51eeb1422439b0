/** Where the REST API is mounted; every path the service builds starts here. */
export const API_BASE = '/api/v1';
