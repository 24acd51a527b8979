/**
 * `tsmicroservice/mcp`: a service's methods as Model Context Protocol tools, for AI agents, over
 * MCP's Streamable HTTP transport (both the session-based 2025-11-25 generation and the stateless
 * 2026-07-28 one). See {@linkcode mcp}.
 *
 * @example
 * ```ts
 * import { Service } from "../../mod.ts";
 * import { mcp } from "./mod.ts";
 * const service = new Service({ name: "greeter" })
 *   .use(mcp())
 *   .publicMethod("say_hello", (name: string) => `hello ${name}`, { readOnly: true });
 * ```
 *
 * @module
 */

export { mcp, type McpOptions } from "./mcp.ts";
export { type CallToolResult } from "./tool_result.ts";
export { type McpTool, type ToolAnnotations } from "./tools.ts";
