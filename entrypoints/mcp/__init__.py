"""The MCP server: the studio's operations as tools for an agent, under the same quotas as the
HTTP API, over stdio (`imagestudio mcp`) or streamable HTTP (`/mcp` in `imagestudio serve`)."""
