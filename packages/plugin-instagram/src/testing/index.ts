/** The Instagram test kit: a fake Graph API and a webhook sender that signs like Meta. */
export {
  FakeGraphApi,
  type FakeGraphApiOptions,
  type FakeGraphFault,
  type FakeGraphFaultRule,
  type FakeSentMessage,
  startFakeGraphApi,
} from './fake-graph-api.js';
export {
  deletedItem,
  echoItem,
  type MessageOptions,
  messageItem,
  newMid,
  postbackItem,
  reactionItem,
  seenItem,
  WebhookSender,
  webhookEnvelope,
} from './webhook-sender.js';
