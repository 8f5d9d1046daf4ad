# Intro on /start
segmentation-intro = 📊 Customer segmentation, for analysts on the allowlist: /segments shows the segments, /segment CARD_ID a client's profile, /insight CARD_ID an AI insight.

# Access
segmentation-access-denied = This bot shows bank client data. Your Telegram id { $userId } is not on the allowlist: ask an administrator to add it.

# Usage and errors
segmentation-usage-segment = Usage: /segment CARD_ID
segmentation-usage-insight = Usage: /insight CARD_ID
segmentation-no-data = No segments have been computed yet: import transactions and run a recompute.
segmentation-preparing-data = Preparing demo data: synthetic clients are being imported and segmented. Try again in a few seconds.
segmentation-unknown-card = Card { $cardId } is not in the current segmentation (version { $version }). Check the id or see /clients.

# /segment
segmentation-profile-title = Client { $cardId }
segmentation-profile-segment = Segment: { $segment } ({ $size } { $size ->
    [one] client
   *[other] clients
}, { $share })
segmentation-profile-description = { $description }
segmentation-profile-asof = Data as of { $asOf } · segmentation version { $version }
segmentation-profile-features = Key features: client / segment / all clients
segmentation-feature-line = • { $feature }: { $client } / { $segment } / { $population }
segmentation-chart-profile-title = { $cardId }: index against all clients
segmentation-chart-axis = index (all clients = 100)
segmentation-series-client = Client
segmentation-series-segment = Segment
segmentation-series-population = All clients
segmentation-chart-caption = { $cardId } · { $segment }

# /segments
segmentation-segments-title = Segments, version { $version }: { $clients } { $clients ->
    [one] client
   *[other] clients
}, data as of { $asOf }
segmentation-segment-line = { $index }. { $name }: { $size } ({ $share })
segmentation-chart-segments-title = Clients by segment

# /clients
segmentation-clients-title = Clients { $from }–{ $to } of { $total } (page { $page } of { $pages })
# $card: the card id as a tappable /segment_<id> command (plain id when it cannot be one)
segmentation-clients-line = { $card } · { $segment }
segmentation-clients-prev = ◀ Back
segmentation-clients-next = Next ▶
segmentation-clients-file = All { $total } clients with their segments (CSV).

# /insight
segmentation-insight-title = Insight for { $cardId } ({ $segment })
segmentation-insight-highlights = What stands out (client · against segment · against all clients):
segmentation-insight-highlight = • { $feature }: { $client } · { $vsSegment } · { $vsPopulation }
segmentation-insight-summary = Summary: { $summary }
segmentation-insight-recommendations = Recommendations:
segmentation-insight-recommendation = { $index }. { $text }
segmentation-insight-offline = No AI model is configured (offline mode): the numbers above are computed from the data; there is no generated summary.
segmentation-insight-failed = The AI insight is unavailable right now; the computed numbers above are still valid.
segmentation-insight-same = same
# A difference of shares, in percentage points
segmentation-delta-points = { $sign }{ $points } pp

# Segment names
segmentation-archetype-traditional = Traditional client
segmentation-archetype-traditional-description = Low activity, few transactions, mostly basic spending.
segmentation-archetype-digital_traveller = Digital traveller
segmentation-archetype-digital_traveller-description = Frequent trips, pays online, a high share of travel.
segmentation-archetype-city_dweller = Active city dweller
segmentation-archetype-city_dweller-description = Frequent transactions: food, wallets and city services.
segmentation-segment-generated = Segment { $index }: { $traits }
segmentation-segment-generated-description = Named after what sets it apart from all clients.
segmentation-segment-plain = Segment { $index }
segmentation-trait-high = { $feature } ↑
segmentation-trait-low = { $feature } ↓

# Features
segmentation-feature-tx_count = Transactions
segmentation-feature-frequency = Transactions per day
segmentation-feature-recency_days = Days since last transaction
segmentation-feature-total_spend = Total spend
segmentation-feature-avg_spend = Average transaction
segmentation-feature-std_spend = Spend variability
segmentation-feature-share_travel = Travel share
segmentation-feature-share_food = Food share
segmentation-feature-share_wallets = Wallets and transfers share
segmentation-feature-share_city = City services share
segmentation-feature-share_entertainment = Entertainment share
segmentation-feature-share_retail = Retail share
segmentation-feature-online_share = Online share
segmentation-feature-distinct_cities = Cities
segmentation-feature-distinct_countries = Countries
