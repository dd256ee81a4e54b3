import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { UsageEventInput } from './agent-context.js';
import type { AgentEvent } from './agent-turn.js';
import { Brain, BrainOutput, BrainTurn } from './brain.js';
import { buildChatMessages, CHAT_TOOLS } from './chat-prompt.js';
import { KnowledgeBrain } from './knowledge.brain.js';
import { llmRateFor, priceTokens } from './llm-price.js';
import { langOf, PHRASES } from './phrases.js';
import { readSseData } from './sse.js';

interface ChunkToolCall {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}
interface ChatChunk {
  choices?: { delta?: { content?: string | null; tool_calls?: ChunkToolCall[] }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

class ChatFailure extends Error {}

/**
 * Streaming chat completions from any OpenAI-compatible server. A timeout, a non-2xx answer or a broken stream before
 * any text falls back to the knowledge agent, so nobody is left in silence. On a call AGENT_LLM_TIMEOUT_MS bounds the
 * wait for the first and each next chunk (speech plays as it streams); an SMS or WhatsApp reply is sent whole, so there
 * it is one deadline for the whole reply, and the text is held back until the reply is complete.
 */
@Injectable()
export class OpenAiBrain extends Brain {
  private readonly logger = new Logger('OpenAiBrain');
  private readonly unpricedModels = new Set<string>();

  constructor(
    private readonly config: AppConfig,
    private readonly knowledge: KnowledgeBrain,
  ) {
    super();
  }

  async *run(turn: BrainTurn): AsyncGenerator<BrainOutput> {
    const { request, context } = turn;
    const model = context.config.model ?? this.config.openai.model;
    const usage: UsageEventInput[] = [];
    const wholeReply = isWholeReply(turn);
    const held: string[] = [];
    let spoke = false;
    try {
      if (!this.config.openai.apiKey) throw new ChatFailure('OPENAI_API_KEY is not set');
      const toolCalls = new Map<number, { name: string; arguments: string }>();
      for await (const chunk of this.stream(turn, model)) {
        if (chunk.error) throw new ChatFailure(chunk.error.message ?? 'error in stream');
        for (const choice of chunk.choices ?? []) {
          const content = choice.delta?.content;
          if (content) {
            spoke = true;
            if (wholeReply) held.push(content);
            else yield { type: 'text', text: content };
          }
          for (const call of choice.delta?.tool_calls ?? []) {
            const current = toolCalls.get(call.index) ?? { name: '', arguments: '' };
            current.name += call.function?.name ?? '';
            current.arguments += call.function?.arguments ?? '';
            toolCalls.set(call.index, current);
          }
        }
        if (chunk.usage) usage.push(...this.usageEvents(turn.turnUuid, model, chunk.usage));
      }
      for (const text of held) yield { type: 'text', text };
      const actions = [...toolCalls.values()].flatMap((call) => this.toolEvents(call, turn));
      if (!spoke) {
        const text = spokenFor(actions, turn);
        if (text) yield { type: 'text', text };
      }
      yield* actions;
      yield { type: 'outcome', action: 'llm', brain: 'openai', usage };
    } catch (error) {
      if (request.signal?.aborted) return;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(
        { event: 'llm_fallback', company_id: request.companyId, call_sid: request.callSid, reason, spoke },
        'The LLM failed; the knowledge agent answers',
      );
      if (spoke && !wholeReply) {
        // Part of the answer was already given: end it there rather than start another.
        yield { type: 'outcome', action: 'llm', brain: 'openai', usage };
        return;
      }
      for await (const output of this.knowledge.run(turn)) {
        yield output.type === 'outcome' ? { ...output, usage: [...usage, ...output.usage] } : output;
      }
    }
  }

  private async *stream(turn: BrainTurn, model: string): AsyncGenerator<ChatChunk> {
    const timeoutMs = this.config.agent.llmTimeoutMs;
    const timeout = new AbortController();
    let timer = setTimeout(() => timeout.abort(new ChatFailure(`no ${isWholeReply(turn) ? 'complete ' : ''}answer within ${timeoutMs} ms`)), timeoutMs);
    const rearm = (): void => {
      // A reply sent whole has one deadline from the request on; a chunk arriving does not extend it.
      if (isWholeReply(turn)) return;
      clearTimeout(timer);
      timer = setTimeout(() => timeout.abort(new ChatFailure(`stream stalled for ${timeoutMs} ms`)), timeoutMs);
    };
    const signal = turn.request.signal ? AbortSignal.any([timeout.signal, turn.request.signal]) : timeout.signal;
    try {
      const response = await fetch(`${this.config.openai.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.config.openai.apiKey}`, accept: 'text/event-stream' },
        body: JSON.stringify({
          model,
          stream: true,
          stream_options: { include_usage: true },
          messages: buildChatMessages(turn.context, turn.request.text, turn.request.channel, turn.now),
          tools: CHAT_TOOLS,
        }),
        signal,
      });
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        throw new ChatFailure(`the chat server answered ${response.status}`);
      }
      rearm();
      for await (const data of readSseData(response.body)) {
        rearm();
        if (data === '[DONE]') return;
        try {
          yield JSON.parse(data) as ChatChunk;
        } catch {
          throw new ChatFailure('the chat server sent a chunk that is not JSON');
        }
      }
    } catch (error) {
      if (timeout.signal.aborted && timeout.signal.reason instanceof ChatFailure) throw timeout.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The turn's tokens, priced from the model's rate (OPENAI_LLM_RATE_CARD). */
  private usageEvents(turnUuid: string, model: string, usage: { prompt_tokens?: number; completion_tokens?: number }): UsageEventInput[] {
    const rate = llmRateFor(this.config.agent.llmRates, model);
    if (!rate && !this.unpricedModels.has(model)) {
      this.unpricedModels.add(model);
      this.logger.warn({ event: 'llm_model_unpriced', model }, 'No price for this model on OPENAI_LLM_RATE_CARD: its tokens are recorded at $0');
    }
    const input = usage.prompt_tokens ?? 0;
    const output = usage.completion_tokens ?? 0;
    return [
      {
        kind: 'llm_input_tokens',
        quantity: input,
        unit: 'tokens',
        cost_usd: priceTokens(input, rate?.input ?? 0),
        idempotency_key: `llm:${turnUuid}:input:${model}`,
      },
      {
        kind: 'llm_output_tokens',
        quantity: output,
        unit: 'tokens',
        cost_usd: priceTokens(output, rate?.output ?? 0),
        idempotency_key: `llm:${turnUuid}:output:${model}`,
      },
    ];
  }

  private toolEvents(call: { name: string; arguments: string }, turn: BrainTurn): AgentEvent[] {
    let args: Record<string, unknown> = {};
    try {
      args = call.arguments ? (JSON.parse(call.arguments) as Record<string, unknown>) : {};
    } catch {
      this.logger.warn({ event: 'llm_tool_arguments_invalid', tool: call.name }, 'A tool call had arguments that are not JSON');
    }
    const text = (key: string, fallback: string): string => (typeof args[key] === 'string' && args[key] ? (args[key] as string) : fallback);
    switch (call.name) {
      case 'transfer_call':
        // Only where there is somewhere to transfer to; otherwise the model's text stands.
        return turn.context.config.transfer_number ? [{ type: 'transfer', reason: text('reason', 'the model transferred the call') }] : [];
      case 'end_call':
        return [{ type: 'end_call', reason: text('reason', 'the model ended the call') }];
      case 'take_message':
        return [{ type: 'message_taken', message: text('message', turn.request.text) }];
      default:
        this.logger.warn({ event: 'llm_tool_unknown', tool: call.name }, 'The model called an unknown tool');
        return [];
    }
  }
}

/** When the model only called a tool, the caller still hears a sentence. */
function spokenFor(actions: AgentEvent[], turn: BrainTurn): string | undefined {
  const p = PHRASES[langOf(turn.context.config.language)];
  const first = actions[0];
  if (!first) return undefined;
  if (first.type === 'transfer') return p.transferring;
  if (first.type === 'end_call') return p.goodbye;
  if (first.type === 'message_taken') return p.messageTaken;
  return undefined;
}

/** Texts are answered in one message, not streamed to the person: nothing of the reply is sent until it is whole. */
function isWholeReply(turn: BrainTurn): boolean {
  return turn.request.channel !== 'voice';
}
