// `projectlead mcp --token <token>`: the MCP server over stdio, for an agent that runs MCP
// servers as local processes. It acts as the token's user on the bot's database, as the HTTP
// server at /mcp does; what it changes goes out through the running bot's outbox.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createPresenter } from '../../http/api/present.ts';
import { createMcpServer } from '../../mcp/server.ts';
import { type CliCommand, withCore } from '../io.ts';
import { flagValue } from './tokens.ts';

export const mcpCommand: CliCommand = (args, io) => {
  const secret = flagValue(args, '--token') ?? io.env.PROJECTLEAD_TOKEN;
  if (!secret) {
    io.stderr.write('usage: projectlead mcp --token <token>\n');
    return Promise.resolve(2);
  }
  return withCore(io, async (core) => {
    const token = await core.tokens.authenticate(secret);
    if (!token || token.userId === null) {
      io.stderr.write('projectlead: the token is unknown, revoked, or an alerts token\n');
      return 1;
    }
    const actor = await core.actors.resolve({ kind: 'api_user', userId: token.userId, label: token.name });
    const server = createMcpServer({ verbs: core.verbs, present: createPresenter(core.runs) }, actor);
    const transport = new StdioServerTransport(
      io.stdin as NodeJS.ReadStream & import('node:stream').Readable,
      io.stdout as NodeJS.WriteStream & import('node:stream').Writable,
    );
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      io.stdin.on('end', () => resolve());
    });
    await server.connect(transport);
    await closed;
    await server.close();
    return 0;
  });
};
