import type { EventBus, FileStorage, Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { SupportConfig } from '../config.js';
import type { AnswerService } from './answer-service.js';
import { CustomerData } from './customer-data.js';
import { CustomerDesk } from './customer-desk.js';
import { CustomerNotifier } from './customer-notifier.js';
import { DeskPresenter } from './desk-presenter.js';
import { ManagerDesk } from './manager-desk.js';
import { ManagerGroupHealth } from './manager-group-health.js';
import type { ManagerService } from './manager-service.js';
import type { CustomerKeyboards, PendingQuestions, RealtimeHub, TelegramPort } from './ports.js';
import { TicketClosing } from './ticket-closing.js';
import { TicketHandBack } from './ticket-handback.js';
import type { TicketService } from './ticket-service.js';
import { TopicRelay } from './topic-relay.js';

export type { CustomerInput } from './customer-desk.js';
export type { ManagerMessageOutcome } from './manager-desk.js';
export type { ManagerGroupStatus } from './manager-group-health.js';
export type { TelegramMessageRef } from './ports.js';

export interface SupportDeskDeps {
  tickets: TicketService;
  managers: ManagerService;
  answers: AnswerService;
  telegram: TelegramPort;
  hub: RealtimeHub;
  /** Removes old ticket buttons from the customer's bot chat (optional). */
  keyboards?: CustomerKeyboards;
  /** Tries questions asked during a model outage again later (optional). */
  pending?: PendingQuestions;
  translator: Translator;
  events: EventBus;
  files?: () => FileStorage | undefined;
  config: SupportConfig;
  /** The manager group in use; default: the `managerGroupChatId` setting. */
  groupChatId?: () => number | undefined;
  logger: Logger;
  /** Signed download URL of a stored file for one customer (web app). */
  fileUrl(fileId: string, customerId: number): string;
}

/**
 * The support desk, assembled from its parts: customers' messages (bot chat or web app) go to
 * the assistant while a ticket is in `ai`, to the ticket's manager topic after a handoff;
 * managers' messages in the topic go back to the customer wherever they are; a manager or an
 * admin can hand a ticket back to the assistant; tickets close from either side and end with
 * a 1-5 rating.
 *
 * The plugin's own handlers use the parts directly. The delegating methods are the desk's
 * surface for other plugins (`SupportDeskToken`).
 */
export class SupportDesk {
  readonly presenter: DeskPresenter;
  readonly notifier: CustomerNotifier;
  readonly groupHealth: ManagerGroupHealth;
  readonly relay: TopicRelay;
  readonly closing: TicketClosing;
  readonly handBack: TicketHandBack;
  readonly customers: CustomerDesk;
  readonly managerDesk: ManagerDesk;
  readonly customerData: CustomerData;
  /** The manager group in use (the setting, or what the app wired). */
  readonly managerGroupChatId: () => number | undefined;

  constructor(d: SupportDeskDeps) {
    const { tickets, telegram, config, logger } = d;
    const groupChatId = d.groupChatId ?? (() => config.managerGroupChatId);
    this.managerGroupChatId = groupChatId;
    const presenter = new DeskPresenter(d.translator, d.fileUrl);
    const notifier = new CustomerNotifier({
      tickets,
      telegram,
      hub: d.hub,
      presenter,
      keyboards: d.keyboards,
      logger,
    });
    const groupHealth = new ManagerGroupHealth({ telegram, presenter, config, groupChatId, logger });
    const relay = new TopicRelay({
      tickets,
      telegram,
      presenter,
      health: groupHealth,
      files: d.files,
      groupChatId,
      logger,
    });
    const closing = new TicketClosing({ tickets, relay, notifier, presenter, events: d.events });
    const handBack = new TicketHandBack({ tickets, relay, notifier, presenter, events: d.events });
    this.presenter = presenter;
    this.notifier = notifier;
    this.groupHealth = groupHealth;
    this.relay = relay;
    this.closing = closing;
    this.handBack = handBack;
    this.customers = new CustomerDesk({
      tickets,
      answers: d.answers,
      notifier,
      relay,
      closing,
      pending: d.pending,
      presenter,
      events: d.events,
      config,
      logger,
    });
    this.customerData = new CustomerData({ tickets, telegram, keyboards: d.keyboards, logger });
    this.managerDesk = new ManagerDesk({
      tickets,
      managers: d.managers,
      telegram,
      notifier,
      relay,
      closing,
      handBack,
      presenter,
      groupChatId,
      logger,
    });
  }

  // ---- customers ---------------------------------------------------------------------------
  customerMessage: CustomerDesk['customerMessage'] = (...a) => this.customers.customerMessage(...a);
  callManager: CustomerDesk['callManager'] = (...a) => this.customers.callManager(...a);
  satisfied: CustomerDesk['satisfied'] = (...a) => this.customers.satisfied(...a);
  rate: CustomerDesk['rate'] = (...a) => this.customers.rate(...a);
  history: CustomerDesk['history'] = (...a) => this.customers.history(...a);

  // ---- managers ----------------------------------------------------------------------------
  managerMessage: ManagerDesk['managerMessage'] = (...a) => this.managerDesk.managerMessage(...a);
  closeFromTopic: ManagerDesk['closeFromTopic'] = (...a) => this.managerDesk.closeFromTopic(...a);
  closeTicket: TicketClosing['close'] = (...a) => this.closing.close(...a);
  handBackFromTopic: ManagerDesk['handBackFromTopic'] = (...a) => this.managerDesk.handBackFromTopic(...a);
  handBackTicket: TicketHandBack['handBack'] = (...a) => this.handBack.handBack(...a);

  // ---- the manager group -------------------------------------------------------------------
  status: ManagerGroupHealth['status'] = () => this.groupHealth.status();
  checkManagerGroup: ManagerGroupHealth['check'] = () => this.groupHealth.check();
}
