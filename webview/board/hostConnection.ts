import { isHostMessage, type BoardReply, type BoardRequest, type HostMessage, type WebviewMessage } from '../../src/core/board/protocol';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<BoardRequest, 'requestId'>;

/** The webview side of the protocol: requests get ids and resolve with their typed reply. */
export class HostConnection {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: BoardReply) => void>();

  constructor(onMessage: (message: Exclude<HostMessage, BoardReply>) => void) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = event.data;
      if (!isHostMessage(message)) return;
      if (message.type === 'reply') {
        this.waiting.get(message.requestId)?.(message);
        this.waiting.delete(message.requestId);
      } else onMessage(message);
    });
  }

  notify(message: Exclude<WebviewMessage, BoardRequest>): void {
    this.api.postMessage(message);
  }

  request(body: RequestBody): Promise<BoardReply> {
    const requestId = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(requestId, resolve);
      this.api.postMessage({ ...body, requestId } as BoardRequest);
    });
  }

  get state(): unknown {
    return this.api.getState();
  }

  set state(value: unknown) {
    this.api.setState(value);
  }
}
