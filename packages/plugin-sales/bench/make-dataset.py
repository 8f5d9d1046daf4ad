# Writes bench/conversations.jsonl: hand-labelled sales conversations (en, ru) for `sales:eval`.
# Each turn: the client's message, then the stage it should lead to, the strategy it should get
# (script_80: it follows the script; free_20: off script), and whether it carries consent.
import json

S, F = 'script_80', 'free_20'
EN = [
  ('en-happy-1', [('Hi!', 'qualification', S, False), ('Never, only a bit of Excel', 'qualification', S, False), ('About 5 hours', 'needs', S, False), ('I want a new job in analytics', 'presentation', S, False), ('Sounds good, tell me more', 'presentation', S, False), ('ok', 'close', S, False), ("Yes, I'm in!", 'education', S, True)]),
  ('en-happy-2', [('Hello', 'qualification', S, False), ('a lot', 'qualification', S, False), ('3 hours a week', 'needs', S, False), ('I need a promotion, I am stuck doing reports by hand', 'presentation', S, False), ('How do I join?', 'close', S, False), ('Sign me up please', 'education', S, True)]),
  ('en-price-objection', [('Hey', 'qualification', S, False), ('a little', 'qualification', S, False), ('maybe 4', 'needs', S, False), ('Less routine at work', 'presentation', S, False), ('Honestly that is too expensive for me', 'objections', S, False), ('I see, monthly payments could work', 'close', S, False), ("Let's do it", 'education', S, True)]),
  ('en-time-objection', [('Good morning', 'qualification', S, False), ('never', 'qualification', S, False), ('not many, I am very busy', 'needs', S, False), ('I want to switch careers', 'presentation', S, False), ('I really have no time for this, I am busy', 'objections', S, False), ('Recorded lessons help, thanks', 'close', S, False), ('I agree, count me in', 'education', S, True)]),
  ('en-refusal-close', [('Hi', 'qualification', S, False), ('a lot', 'qualification', S, False), ('10', 'needs', S, False), ('I want a better salary', 'presentation', S, False), ('interesting', 'presentation', S, False), ('ok', 'close', S, False), ('No thanks, not interested', 'farewell', F, False)]),
  ('en-refusal-needs', [('Hello', 'qualification', S, False), ('never', 'qualification', S, False), ('2', 'needs', S, False), ('Not interested, sorry', 'farewell', F, False)]),
  ('en-offscript-question', [('Hi', 'qualification', S, False), ('Do you also teach Python for kids? My son is 12 and loves games, and I wonder whether there is something like that for him in the summer.', 'qualification', F, False), ('a little', 'qualification', S, False), ('6 hours', 'needs', S, False)]),
  ('en-stop-early', [('hi', 'qualification', S, False), ('stop', 'qualification', F, False)]),
  ('en-stop-later', [('Hello', 'qualification', S, False), ('a little', 'qualification', S, False), ('5', 'needs', S, False), ('unsubscribe', 'needs', F, False)]),
  ('en-keyword-demo', [('Hi', 'qualification', S, False), ('Do you have a free lesson?', 'presentation', S, False), ('nice', 'presentation', S, False), ('ok', 'close', S, False), ('Yes, sign me up', 'education', S, True)]),
  ('en-negated-consent', [('Hey there', 'qualification', S, False), ('a lot', 'qualification', S, False), ('8', 'needs', S, False), ('Automate my reports', 'presentation', S, False), ('What about the refund?', 'presentation', F, False), ('ok', 'close', S, False), ("I'm not in yet, I need to think", 'close', F, False), ('Fine, I want to join', 'education', S, True)]),
  ('en-doubt', [('Hello', 'qualification', S, False), ('never', 'qualification', S, False), ('4', 'needs', S, False), ('I want a new job', 'presentation', S, False), ('It looks too hard for a beginner, not sure it will work', 'objections', S, False), ('Alright, that helps', 'close', S, False), ('Where do I pay?', 'education', S, True)]),
  ('en-angry', [('Hi', 'qualification', S, False), ('Why do you ask so many questions?! This is annoying!!', 'qualification', F, False), ('fine. a little', 'qualification', S, False)]),
  ('en-long-story', [('Hello', 'qualification', S, False), ('a little', 'qualification', S, False), ('5 hours', 'needs', S, False), ('Well, it is a long story. I worked in retail for ten years, then the shop closed, and since then I have been doing odd jobs, helping my brother with his accounting and trying to figure out what to do next while also taking care of my parents, so I do not really know.', 'presentation', F, False)]),
  ('en-close-objection', [('Hi', 'qualification', S, False), ('a lot', 'qualification', S, False), ('6', 'needs', S, False), ('More interesting work', 'presentation', S, False), ('cool', 'presentation', S, False), ('ok', 'close', S, False), ('Hmm, it is expensive though', 'objections', S, False), ('Ok that makes sense', 'close', S, False), ("I'll take it", 'education', S, True)]),
  ('en-price-question', [('Hello', 'qualification', S, False), ('never', 'qualification', S, False), ('3', 'needs', S, False), ('A promotion', 'presentation', S, False), ('How much is it?', 'close', S, False), ('Yes, ready to start', 'education', S, True)]),
  ('en-greeting-only', [('Good evening!', 'qualification', S, False)]),
  ('en-unrelated', [('Hi', 'qualification', S, False), ('What is the weather like in Berlin today?', 'qualification', F, False)]),
  ('en-farewell-presentation', [('Hi', 'qualification', S, False), ('a little', 'qualification', S, False), ('2 hours', 'needs', S, False), ('Nothing really, just curious', 'presentation', F, False), ('No thanks', 'farewell', F, False)]),
  ('en-yes-close', [('Hello', 'qualification', S, False), ('a lot', 'qualification', S, False), ('7', 'needs', S, False), ('Data skills for my startup', 'presentation', S, False), ('What is included exactly?', 'presentation', S, False), ('great', 'close', S, False), ('Count me in', 'education', S, True)]),
  ('en-consent-early', [('Hi', 'qualification', S, False), ("Honestly, I already decided, sign me up", 'education', S, True)]),
  ('en-questions', [('Hi', 'qualification', S, False), ('a little', 'qualification', S, False), ('about 5 hours', 'needs', S, False), ('When does the next group start?', 'presentation', F, False), ('and how long is it?', 'presentation', S, False)]),
]
RU = [
  ('ru-happy-1', [('Привет!', 'qualification', S, False), ('Никогда, только немного Excel', 'qualification', S, False), ('Около 5 часов', 'needs', S, False), ('Хочу новую работу в аналитике', 'presentation', S, False), ('Интересно, расскажите ещё', 'presentation', S, False), ('ок', 'close', S, False), ('Да, давайте!', 'education', S, True)]),
  ('ru-happy-2', [('Здравствуйте', 'qualification', S, False), ('много', 'qualification', S, False), ('3 часа в неделю', 'needs', S, False), ('Нужно повышение, устала делать отчёты вручную', 'presentation', S, False), ('Как записаться?', 'close', S, False), ('Записывайте меня', 'education', S, True)]),
  ('ru-price', [('Добрый день', 'qualification', S, False), ('немного', 'qualification', S, False), ('часа 4', 'needs', S, False), ('Меньше рутины на работе', 'presentation', S, False), ('Честно говоря, дорого для меня', 'objections', S, False), ('Понятно, рассрочка подойдёт', 'close', S, False), ('Согласен', 'education', S, True)]),
  ('ru-time', [('Привет', 'qualification', S, False), ('никогда', 'qualification', S, False), ('немного, я очень занята', 'needs', S, False), ('Хочу сменить профессию', 'presentation', S, False), ('У меня совсем нет времени', 'objections', S, False), ('Записи уроков — это удобно', 'close', S, False), ('Хочу записаться', 'education', S, True)]),
  ('ru-refusal', [('Здравствуйте', 'qualification', S, False), ('много', 'qualification', S, False), ('10', 'needs', S, False), ('Хочу зарплату побольше', 'presentation', S, False), ('интересно', 'presentation', S, False), ('ок', 'close', S, False), ('Нет, спасибо, не интересно', 'farewell', F, False)]),
  ('ru-refusal-needs', [('Привет', 'qualification', S, False), ('никогда', 'qualification', S, False), ('2', 'needs', S, False), ('Не интересно', 'farewell', F, False)]),
  ('ru-offscript', [('Привет', 'qualification', S, False), ('А у вас есть курсы программирования для детей? Сыну 12 лет, он любит игры, может быть есть что-то на лето для него?', 'qualification', F, False), ('немного', 'qualification', S, False), ('6 часов', 'needs', S, False)]),
  ('ru-stop', [('привет', 'qualification', S, False), ('стоп', 'qualification', F, False)]),
  ('ru-stop-later', [('Здравствуйте', 'qualification', S, False), ('немного', 'qualification', S, False), ('5', 'needs', S, False), ('отписаться', 'needs', F, False)]),
  ('ru-keyword', [('Привет', 'qualification', S, False), ('А есть бесплатный урок?', 'presentation', S, False), ('здорово', 'presentation', S, False), ('ок', 'close', S, False), ('Беру', 'education', S, True)]),
  ('ru-doubt', [('Здравствуйте', 'qualification', S, False), ('никогда', 'qualification', S, False), ('4', 'needs', S, False), ('Хочу новую работу', 'presentation', S, False), ('Сомневаюсь, что у меня получится, это сложно', 'objections', S, False), ('Хорошо, это помогает', 'close', S, False), ('Как оплатить?', 'education', S, True)]),
  ('ru-angry', [('Привет', 'qualification', S, False), ('Зачем столько вопросов?! Это раздражает!!', 'qualification', F, False), ('ладно. немного', 'qualification', S, False)]),
  ('ru-long', [('Здравствуйте', 'qualification', S, False), ('немного', 'qualification', S, False), ('5 часов', 'needs', S, False), ('Это долгая история. Я десять лет работала в магазине, потом он закрылся, с тех пор подрабатываю, помогаю брату с бухгалтерией и пытаюсь понять, что делать дальше, а ещё ухаживаю за родителями, так что сама не знаю.', 'presentation', F, False)]),
  ('ru-close-objection', [('Привет', 'qualification', S, False), ('много', 'qualification', S, False), ('6', 'needs', S, False), ('Более интересную работу', 'presentation', S, False), ('класс', 'presentation', S, False), ('ок', 'close', S, False), ('Хм, всё-таки дороговато', 'objections', S, False), ('Ладно, понятно', 'close', S, False), ('Я в деле', 'education', S, True)]),
  ('ru-price-question', [('Здравствуйте', 'qualification', S, False), ('никогда', 'qualification', S, False), ('3', 'needs', S, False), ('Повышение', 'presentation', S, False), ('Сколько стоит?', 'close', S, False), ('Да, готов начать', 'education', S, True)]),
  ('ru-greeting', [('Добрый вечер!', 'qualification', S, False)]),
  ('ru-unrelated', [('Привет', 'qualification', S, False), ('Какая сегодня погода в Москве?', 'qualification', F, False)]),
  ('ru-negated', [('Привет', 'qualification', S, False), ('много', 'qualification', S, False), ('8', 'needs', S, False), ('Автоматизировать отчёты', 'presentation', S, False), ('А что с возвратом денег?', 'presentation', F, False), ('ок', 'close', S, False), ('Пока не готов начать, надо подумать', 'close', F, False), ('Ладно, хочу записаться', 'education', S, True)]),
  ('ru-consent-early', [('Привет', 'qualification', S, False), ('Я уже всё решила, записывайте', 'education', S, True)]),
  ('ru-questions', [('Привет', 'qualification', S, False), ('немного', 'qualification', S, False), ('часов 5', 'needs', S, False), ('Когда стартует следующая группа?', 'presentation', F, False), ('а сколько длится?', 'presentation', S, False)]),
]

with open('bench/conversations.jsonl', 'w', encoding='utf-8') as out:
    for lang, items in (('en', EN), ('ru', RU)):
        for cid, turns in items:
            row = {'id': cid, 'language': lang, 'script': 'course', 'turns': [
                {'client': c, 'expected': {'stage': st, 'strategy': sg, 'consent': co}} for c, st, sg, co in turns]}
            out.write(json.dumps(row, ensure_ascii=False) + '\n')
print(len(EN) + len(RU), 'conversations')
