# Представление в /start
segmentation-intro = 📊 Сегментация клиентов для аналитиков из списка доступа: /segments — сегменты, /segment CARD_ID — профиль клиента, /insight CARD_ID — AI-инсайт.

# Доступ
segmentation-access-denied = Бот показывает данные клиентов банка. Вашего идентификатора в Телеграме ({ $userId }) нет в списке доступа: попросите администратора добавить его.

# Подсказки и ошибки
segmentation-usage-segment = Укажите номер карты: /segment НОМЕР_КАРТЫ, например /segment C0000001
segmentation-usage-insight = Укажите номер карты: /insight НОМЕР_КАРТЫ, например /insight C0000001
segmentation-no-data = Сегменты ещё не рассчитаны: загрузите транзакции и запустите пересчёт.
segmentation-preparing-data = Готовлю демо-данные: синтетические клиенты загружаются и делятся на сегменты. Повторите через несколько секунд.
segmentation-unknown-card = Карты { $cardId } нет в текущей сегментации (версия { $version }). Проверьте номер или посмотрите /clients.

# /segment
segmentation-profile-title = Клиент { $cardId }
segmentation-profile-segment = Сегмент: { $segment } ({ $size } { $size ->
    [one] клиент
    [few] клиента
   *[many] клиентов
}, { $share })
segmentation-profile-description = { $description }
segmentation-profile-asof = Данные на { $asOf } · версия сегментации { $version }
segmentation-profile-features = Ключевые признаки: клиент / сегмент / все клиенты
segmentation-feature-line = • { $feature }: { $client } / { $segment } / { $population }
segmentation-chart-profile-title = { $cardId }: индекс относительно всех клиентов
segmentation-chart-axis = индекс (все клиенты = 100)
segmentation-series-client = Клиент
segmentation-series-segment = Сегмент
segmentation-series-population = Все клиенты
segmentation-chart-caption = { $cardId } · { $segment }

# /segments
segmentation-segments-title = Сегменты, версия { $version }: { $clients } { $clients ->
    [one] клиент
    [few] клиента
   *[many] клиентов
}, данные на { $asOf }
segmentation-segment-line = { $index }. { $name }: { $size } ({ $share })
segmentation-chart-segments-title = Клиенты по сегментам

# /clients
segmentation-clients-title = Клиенты { $from }–{ $to } из { $total } (страница { $page } из { $pages })
segmentation-clients-line = { $card } · { $segment }
segmentation-clients-prev = ◀ Назад
segmentation-clients-next = Далее ▶
segmentation-clients-file = Все клиенты с сегментами (CSV), всего { $total }.

# /insight
segmentation-insight-title = Инсайт по { $cardId } ({ $segment })
segmentation-insight-highlights = Чем выделяется (клиент · к сегменту · ко всем клиентам):
segmentation-insight-highlight = • { $feature }: { $client } · { $vsSegment } · { $vsPopulation }
segmentation-insight-summary = Вывод: { $summary }
segmentation-insight-recommendations = Рекомендации:
segmentation-insight-recommendation = { $index }. { $text }
segmentation-insight-offline = Модель ИИ не подключена (автономный режим): цифры выше рассчитаны по данным, сгенерированного вывода нет.
segmentation-insight-failed = Вывод ИИ сейчас недоступен; рассчитанные цифры выше верны.
segmentation-insight-same = так же
# Разница долей в процентных пунктах
segmentation-delta-points = { $sign }{ $points } п. п.

# Названия сегментов
segmentation-archetype-traditional = Традиционный клиент
segmentation-archetype-traditional-description = Низкая активность, мало транзакций, в основном базовые траты.
segmentation-archetype-digital_traveller = Цифровой путешественник
segmentation-archetype-digital_traveller-description = Частые поездки, оплата онлайн, высокая доля трат на путешествия.
segmentation-archetype-city_dweller = Активный горожанин
segmentation-archetype-city_dweller-description = Частые транзакции: еда, кошельки, городские сервисы.
segmentation-segment-generated = Сегмент { $index }: { $traits }
segmentation-segment-generated-description = Назван по признакам, которыми он отличается от всех клиентов.
segmentation-segment-plain = Сегмент { $index }
segmentation-trait-high = { $feature } ↑
segmentation-trait-low = { $feature } ↓

# Признаки
segmentation-feature-tx_count = Транзакции
segmentation-feature-frequency = Транзакций в день
segmentation-feature-recency_days = Дней с последней транзакции
segmentation-feature-total_spend = Сумма трат
segmentation-feature-avg_spend = Средний чек
segmentation-feature-std_spend = Разброс трат
segmentation-feature-share_travel = Доля путешествий
segmentation-feature-share_food = Доля еды
segmentation-feature-share_wallets = Доля кошельков и переводов
segmentation-feature-share_city = Доля городских сервисов
segmentation-feature-share_entertainment = Доля развлечений
segmentation-feature-share_retail = Доля покупок
segmentation-feature-online_share = Доля онлайн
segmentation-feature-distinct_cities = Городов
segmentation-feature-distinct_countries = Стран
