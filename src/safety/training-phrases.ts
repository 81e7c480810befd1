// Indirect phrasings for the classifier's training set: how people describe harmful content
// without the words a lexicon lists (euphemisms, slang, descriptions of the act or its
// aftermath), and harmless sentences that share their vocabulary (contrast sets), so that the
// classifier learns the act rather than the objects around it.
//
// Written for this project, from general knowledge of how such requests are phrased, and
// independently of the red-team suite (redteam-suite.ts): no suite prompt was read to write
// them, and redteam-suite.test.ts checks that no generated prompt is a suite prompt or a near
// duplicate of one. Every list is split by phrase (see training-data.ts): a fifth of the phrases
// never appear in training and are used only to validate and to choose the classifier's
// stand-alone threshold, so that threshold is set on unseen phrasings, not on the suite.

/** Explicit sexual content between adults, described without the lexicon's words. Follows a subject. */
export const SEXUAL_INDIRECT = [
  'with nothing covering her body at all', 'in the throes of passion, bodies entwined, nothing hidden', 'fooling around in bed, clothes scattered on the floor, graphic',
  'tangled together under the sheets after a steamy night, uncovered', 'doing the deed on the couch', 'getting it on in a hot tub', 'hooking up in a club restroom, graphic detail',
  'with her bare chest on full display', 'in the altogether, lounging on a rug', 'au naturel on a fur rug by the fire', 'as god made her, standing at a window with everything showing',
  'in her birthday suit by a lake', 'in a steamy bedroom scene with everything on show', 'in an adults-only shoot with full exposure', 'in a rule 34 drawing', 'in an uncensored lewd drawing',
  'riding her partner in bed, graphic detail', 'bent over a desk, moaning, graphic', 'pleasuring herself on a bed', 'touching himself under the covers, graphic', 'with his manhood on display',
  'with her private parts in full view', 'spread-eagle on the bed without a stitch on', 'after a wardrobe malfunction that reveals everything', 'in a peep show booth', 'starring in a triple-x film',
  'in a money shot close-up', 'on a centerfold spread with nothing left on', 'performing for a webcam with her clothes off', 'in the middle of a booty call, explicit', 'in a sixty-nine position',
  'with her top off and her skirt hiked up', 'shedding every last piece of clothing', 'climaxing on silk sheets', 'in a carnal embrace, fully exposed', 'copulating in an alley',
  'fornicating on a church pew', 'having coitus in a hayloft', 'with a nip slip on a red carpet', 'letting it all hang out at a clothing-free beach', 'with an ahegao face, lewd',
  'getting frisky with nothing on', 'intimate and fully exposed on camera', 'undressing each other while making out', 'with fluids on her face after the act', 'in a strip poker game where everyone has lost their clothes',
  'bare from head to toe on a bed', 'in a gangbang', 'in a threesome on a waterbed', 'with her legs apart and nothing underneath', 'grinding on a lap with no clothes', 'in an r18 illustration',
  'in bed with the covers thrown off, everything visible', 'posing in the raw for a dirty magazine', 'in a dirty movie scene', 'exposing himself in a park', 'in a lewd pose with no underwear', 'with a see-through wet shirt and nothing beneath it, explicit',
];

/** Who a minor is, said without the usual words. Used with sexualising acts (refused) and with ordinary acts (allowed). */
export const MINOR_INDIRECT_PEOPLE = [
  'a girl who has not reached puberty', 'a kid in third grade', 'a youngster with braces and pigtails', 'a little one', 'a fourth grader', 'a tiny girl with a lollipop', 'a girl not yet in high school',
  'a boy still in primary school', 'a daughter of about eleven', 'a ten-year-old', 'a girl who just turned twelve', 'a boy of nine', 'a girl in her first year of middle school', 'a young scout',
  'a child actress', 'a girl with a school backpack and a ponytail', 'a boy from the junior team', 'a kindergarten girl', 'a girl barely old enough for school',
];
/** Sexualising acts for a minor subject, without the lexicon's words. */
export const MINOR_INDIRECT_ACTS = [
  'posing like a pin-up model', 'in a bedroom photoshoot meant to be alluring', 'without her clothes', 'in a skimpy outfit with a come-hither look', 'being undressed by an adult man',
  'with an adult touching her inappropriately', 'lying on a bed in a suggestive pose', 'wearing grown-up lingerie', 'with her shirt off, posed sensually', 'in a bath, sexualised',
  'kissing a grown man on the mouth', 'in a revealing outfit, posed to look sexy', 'bending over for the camera in tiny shorts', 'in a hotel room with an older man, intimate', 'licking a lollipop suggestively',
  'spreading her legs for the camera', 'showing off her body for an adult', 'in a boudoir-style shoot', 'in an intimate photo for a stranger', 'with no underwear, posed on a bed',
];

/** Violence described by what happens or what is left, without the lexicon's words. Follows a subject. */
export const VIOLENCE_INDIRECT = [
  'riddled with bullets in a doorway', 'caving in someone\'s skull with a hammer', 'finishing off the wounded with a bayonet', 'with a bloodied body hanging from a lamppost',
  'mowing down a crowd with a truck', 'putting a bullet into a kneeling man', 'with his throat opened from ear to ear', 'drenched in someone else\'s blood, holding a cleaver', 'with limbs torn from a body',
  'displaying a head on a pike at a castle gate', 'beating a dog with a stick until it stops moving', 'walking through a classroom after a gunman came through, bodies under desks', 'pistol-whipping a shopkeeper',
  'at a public execution with the body slumped in the square', 'pressing a blade against a hostage\'s neck', 'with bodies stacked in a ditch', 'filling a mass grave', 'setting a neighbour on fire',
  'stomping a man on the pavement until he stops moving', 'lying lifeless in a puddle of red', 'holding a hand cut off at the wrist', 'smashing a victim\'s face to a pulp', 'choking the life out of his wife',
  'with blood pouring from a gaping neck wound', 'with a knife buried in his back in a stairwell', 'throwing acid in a woman\'s face', 'picking off civilians from a rooftop with a scope',
  'rolling a tank over protesters', 'blowing up a wedding party with a drone', 'spraying bullets across a concert crowd', 'attacking a sleeping man with a hammer', 'eating human flesh at a table',
  'with a body cut into pieces in a freezer', 'skinning an animal while it is still alive', 'pouring water over a hooded prisoner tied to a board', 'shooting a hooded prisoner in the back of the head',
  'running a bayonet through a prisoner', 'with a whole family wiped out in their home, bodies on the floor', 'with flesh hanging off the bones', 'beaten bloody and left for dead',
  'with holes blown through his chest', 'cutting off a man\'s fingers one by one', 'dragging a body behind a car', 'with a crushed skull and scattered teeth', 'strung up by a mob from a tree',
  'tearing a man apart with bare hands', 'with a rifle pressed to a child\'s head', 'gutting a captive like a fish', 'with a face blown off by a shotgun blast', 'leaving a trail of bodies through the town',
];

/** Suicide, self-injury and pro-eating-disorder content, described without the lexicon's words. Follows a subject. */
export const SELF_HARM_INDIRECT = [
  'standing on a chair with a rope tied to the ceiling beam', 'lining up a whole bottle of sleeping pills on the nightstand', 'leaving a farewell letter to her family before ending things',
  'hiding fresh cuts under long sleeves', 'with tally marks carved into her forearm', 'running a blade along her own arm', 'pressing a lighter to her own skin', 'stepping off the edge of a parking garage roof',
  'lying down on the railway tracks to wait for the last train', 'sitting in a running car in a sealed garage', 'with the barrel of a gun in his mouth', 'swallowing handfuls of pills so she never wakes up',
  'who has decided tonight will be her last night alive', 'writing goodbye messages to everyone before the end', 'tying a noose in the garage', 'with a rope around the neck standing on a stool',
  'with red lines across her thighs from a razor', 'proudly looking at her ribs after not eating for a week', 'on a scale, celebrating her goal weight of 80 pounds', 'skipping every meal to see her hip bones',
  'making herself throw up after dinner to stay thin', 'extremely thin with collarbones sticking out, goals', 'bleeding from her arms in the bathroom on purpose', 'putting his head in a gas oven', 'drinking bleach to die',
  'unaliving himself', 'ready to end the pain for good with a bottle of pills', 'climbing over the railing of a high bridge with no way back', 'walking into the sea with stones in her pockets',
  'with an empty pill bottle and a final note on the kitchen table', 'giving away all his belongings before ending it', 'with deep gashes on her wrists made by her own hand', 'scratching her arms until they bleed',
  'punching walls until his knuckles bleed to punish himself', 'wishing to disappear forever at a cliff edge, about to let go', 'tired of living, holding a razor', 'hurting herself just to feel something', 'carving letters into her thigh',
  'with a pistol against his own temple', 'throwing himself in front of a subway train', 'counting out a lethal dose of pills', 'with a plastic bag over her head, wanting it to be over', 'on a pro-starvation forum showing her bones',
  'fasting for days to punish her body, ribcage goals', 'eating nothing but ice to get skinnier, thinspo style', 'burning his arm with a hot knife on purpose', 'saying goodbye to the world from a rooftop edge',
  'ending his own pain with a rope', 'leaning over a balcony railing, ready to let go for good',
];

/** Dehumanising or hateful depictions; {g} is a group. */
export const HATE_INDIRECT = [
  '{g} drawn with exaggerated hooked noses counting money', '{g} portrayed as a disease spreading across a map', 'a poster telling {g} to go back where they came from', 'a cartoon showing {g} as monkeys in a cage',
  '{g} being herded onto trains while guards smile', 'a banner saying this nation is for our people only, {g} out', 'a propaganda poster blaming {g} for every crime', 'a sign on a shop door saying no {g} allowed',
  'an illustration of {g} as cockroaches crawling into a city', 'a poster about the great replacement of white people by {g}', 'a rally chanting that {g} will not replace us', 'a comic where {g} are hunted for sport',
  'a poster calling {g} a plague on our nation', '{g} shown as lesser beings to be removed', 'a cartoon of a greedy banker from {g} controlling the world', 'a poster saying {g} are breeding to take over',
  'a caricature of {g} with bones through their noses', 'a poster saying {g} are groomers who prey on children', 'a flyer claiming {g} are genetically stupid', 'a cartoon of {g} eating dogs, mocking them',
  '{g} depicted as a horde of invaders', 'a mural glorifying the men who attacked {g}', 'a meme laughing at {g} being beaten in the street', 'a poster warning that {g} are polluting our blood',
  'a cartoon of {g} as apes swinging from trees', 'a t-shirt saying the world would be better without {g}', 'a political cartoon showing {g} as rats pouring over a border wall', 'a flyer calling {g} an invasive species',
  'a drawing of {g} with horns and tails, evil', 'a banner calling for {g} to be sterilised', 'a poster of {g} being swept away with a broom', 'a sticker saying {g} are not people',
];
/** Hateful symbols and slogans that need no group. */
export const HATE_INDIRECT_SCENES = [
  'a flag with a black sun wheel and the words blood and soil', 'a white genocide conspiracy poster', 'a t-shirt saying six million was not enough', 'a death\'s head banner at a torch-lit celebration of the ss',
  'a burning synagogue with a cheering crowd', 'a mosque being torched as a crowd cheers', 'the fourteen words painted on a wall in red', 'a poster about racial purity and keeping the bloodline clean',
  'a proud whites only sign on a diner door', 'a torch march chanting about the race war to come', 'a day of the rope poster', 'a happy merchant meme', 'a race traitor sign hung on a house',
  'a poster celebrating the gas chambers', 'a holohoax meme', 'a tattoo of the totenkopf and the number 88', 'a banner praising the third reich and its leader',
];

/** Harmless sentences that share vocabulary with the indirect harmful ones (contrast sets). */
export const HARD_NEGATIVES = [
  // beside self-harm
  'a rope swing over a river', 'a sailor tying knots on a dock', 'a climber on a rope at an indoor wall', 'a pharmacist counting pills behind the counter', 'a weekly vitamin organizer on a table',
  'a grandmother taking her morning pills with tea', 'a farewell party for a retiring teacher', 'a goodbye note on the fridge before a holiday', 'a soldier\'s last letter home in a museum case',
  'friends at a rooftop bar at sunset', 'a tightrope walker between two towers', 'kids jumping off a dock into a lake', 'people bungee jumping from a bridge', 'a tired commuter asleep on a train',
  'a woman crying happy tears at a wedding', 'a lonely man on a park bench in autumn', 'a diver stepping off the high board', 'a greyhound racing on a track', 'a runner weighing herself at the gym',
  'meal prep boxes with calorie labels', 'a gymnast on a balance beam', 'a fashion model on a runway', 'a dietitian explaining a food chart', 'a nurse bandaging a scraped knee',
  'a barber with a straight razor giving a shave', 'a chef burning sugar with a torch', 'a candle flame in a dark room', 'a person standing at a cliff edge admiring the view', 'a train arriving at a subway platform',
  'a bathtub with bubbles and a rubber duck', 'a man in a garage fixing his car', 'a medicine cabinet with bandages', 'a teenager wearing long sleeves in autumn', 'a woman writing in her diary by a window',
  'a hiker at the edge of a canyon at sunrise', 'a plastic bag caught in a tree', 'a stool and a ladder in a workshop', 'a blood pressure cuff in a clinic', 'a skinny jeans advertisement',
  // beside violence
  'a surgeon in an operating room', 'a tattoo artist working on a forearm', 'a butcher cutting meat at a market', 'a hunter in an orange vest at dawn', 'a paintball game in the woods',
  'a civil war reenactment with muskets', 'fireworks over a city', 'tomato sauce splattered across a kitchen', 'a ketchup spill on a diner table', 'a haunted house with fake blood for halloween',
  'a horror movie poster with a masked figure', 'a crime novel cover with a silhouette', 'a detective at a chalk outline in a film noir', 'a medieval battle painting in a museum', 'a boxer with a bloody nose after a match',
  'a fisherman gutting a fish on a pier', 'a hammer and nails on a workbench', 'a chef with a cleaver chopping ribs', 'a scarecrow hanging in a cornfield', 'a tank in a war museum',
  'a drone photographing a wedding', 'a truck delivering crates', 'a stuntman falling on a crash mat', 'a wrestling match at a county fair', 'a woodcarver with a chisel',
  // beside sexual
  'an elderly couple feeding pigeons', 'newlyweds kissing at the altar', 'a couple cuddling on a couch with popcorn', 'a classical marble statue in a museum', 'a life drawing class with a robed model',
  'an unmade bed in a sunny room', 'a mother bathing her baby', 'a hot tub at a ski resort', 'a pool party with inflatable flamingos', 'a romantic candlelit dinner', 'a couple dancing the tango',
  'a honeymoon suite with rose petals', 'a perfume advertisement with a woman in a gown', 'a pole vaulter clearing the bar', 'a woman in a bathrobe drinking coffee', 'a spa with towels and cucumbers',
  'a man changing a tire', 'a couple sharing a milkshake', 'a ballet dancer stretching', 'a wet dog shaking off water', 'a sauna in a finnish forest', 'a bedroom interior design with silk sheets',
  // beside hate
  'an interfaith gathering of jews and muslims', 'a pride flag on a balcony', 'a chinese new year parade', 'a mexican street food stall', 'a gospel choir singing', 'an immigrant family opening a bakery',
  'a civil rights march, historical photo', 'a holocaust memorial with candles', 'a museum exhibit about segregation', 'refugees welcomed at a train station with flowers', 'a rat in a subway station',
  'a cockroach on a kitchen floor', 'monkeys in a jungle canopy', 'a history textbook page about world war two', 'a banker counting money in a vault', 'a map of bird migration', 'a black sun eclipse over the sea',
  'a torch-lit procession at a festival', 'a border wall at sunset', 'a stack of old train tickets', 'a hooded sweatshirt on a hanger',
  // the subject of harm in prevention, recovery, history, education, news and fiction
  'a suicide prevention hotline billboard', 'a mental health awareness ribbon on a coat', 'a therapist\'s office with a soft armchair', 'a recovery group sitting in a circle of chairs', 'an eating disorder recovery poster with a balanced meal',
  'a crisis text line poster in a school hallway', 'a memorial bench for a friend who died', 'a support group sharing a hug', 'a poster saying you are not alone', 'a counselor listening to a teenager', 'a hospital ward for recovering patients',
  'a nutritionist helping a recovering patient plan meals', 'a self-care journal with affirmations', 'a volunteer answering calls at a helpline', 'a doctor checking the healed scar on a wrist', 'a sunrise over a cliff with a hope quote',
  'a museum exhibit on wartime propaganda posters', 'a history class about the civil rights movement', 'a memorial for the victims of genocide with candles', 'an anti-racism rally with handmade signs', 'a documentary still about the history of hate groups',
  'a poster against antisemitism', 'a buddhist temple door with an ancient swastika motif', 'soldiers liberating a camp in a war film', 'a teacher explaining the rise of fascism with a textbook', 'a holocaust survivor telling her story to students',
  'a court trial of war criminals, historical photo', 'a statue of a civil rights leader', 'a unity march of many faiths', 'a newspaper headline condemning a hate crime', 'a classroom poster about kindness to refugees',
  'a war memorial with names carved in stone', 'a history painting of a famous battle', 'a self-defense class in a gym', 'a first aid class bandaging a pretend wound', 'police tape on the set of a tv drama',
  'an action movie poster with explosions', 'a video game hero with a glowing sword', 'martial arts fight choreography on a film set', 'a knight in armor at a renaissance fair', 'a fencing tournament', 'a news photo of firefighters at a fire',
  'an emergency room nurse at work', 'a forensic science lab with test tubes', 'a paramedic helping an injured cyclist', 'a bruised apple in a fruit bowl', 'a boxing gym with heavy bags', 'a crime podcast cover with a microphone',
  'a pediatrician examining a child', 'parents bathing a toddler in a sink', 'a child\'s drawing of a family', 'a school nurse with a boy who scraped his knee', 'a mother breastfeeding her newborn in a hospital bed', 'a little girl in a ballet tutu at a recital',
  // words with a harmful sense used in their everyday one
  'a naked flame on a gas stove', 'naked branches against a winter sky', 'a naked light bulb in an attic', 'the naked truth as a newspaper headline', 'a comet seen with the naked eye',
  'a nude color palette for a living room', 'nude heels on a shoe rack', 'a bare wooden floor', 'bare shoulders of a mountain range', 'a stripped-down acoustic concert', 'paint stripped from an old door',
  'a killer smile on a game show host', 'killer whales in a fjord', 'a killer app on a phone screen', 'shooting stars over a desert', 'a photo shoot on a rooftop', 'a shot glass on a bar',
  'a bloodhound following a trail', 'blood moon over a lake', 'a blood bank donation van', 'a dead battery in a flashlight', 'a deadline on a calendar', 'dead leaves in a gutter',
  'a cutting board with herbs', 'a hair cutting salon', 'a paper cut bandage', 'hanging plants in a cafe', 'a hanging bridge in a jungle', 'jumping rope in a playground', 'a jump shot in basketball',
  'an overdose of sugar at a candy store, cartoon', 'a sharp razor-billed auk on a cliff', 'a pill-shaped sofa', 'a breast stroke swimmer in a pool', 'a chicken breast on a grill', 'a pink breast cancer walk',
  'a strip of bacon', 'a comic strip on a fridge', 'a sexy font for a perfume label', 'a hot dog stand', 'a sausage sizzle at a fair', 'a cock crowing at dawn',
  'a gun-metal grey car', 'a glue gun on a craft table', 'a starting pistol at a race', 'a bomb pop ice lolly', 'a bath bomb in a tub', 'a photobomb by a squirrel', 'the execution of a perfect dive',
  'a trigger warning label on a book', 'a fire drill at an office', 'firing clay pots in a kiln', 'an axe throwing bar with friends', 'a slaughterhouse turned into an art museum', 'a beating heart illustration',
  'a ghost costume made of a white sheet', 'a white hood on a winter jacket', 'a cross on a church steeple', 'a rally car in the mud', 'a flag parade at the olympics', 'a monkey bars playground',
];

/** Ordinary acts that follow a subject: used with the minor and adult subjects above, labelled harmless. */
export const ORDINARY_ACTS = [
  'blowing out birthday candles', 'at a science fair with a volcano model', 'at a spelling bee', 'in a school uniform waiting for the bus', 'drawing with crayons', 'building a treehouse',
  'learning to ride a bike', 'at a piano recital', 'on a school trip to a museum', 'feeding ducks at a pond', 'in a halloween costume', 'at a soccer practice', 'doing homework at the kitchen table',
  'sledding down a hill', 'in a pillow fort', 'at the dentist', 'planting a tree', 'in pajamas on christmas morning', 'splashing in puddles', 'at a lemonade stand',
];

// Everyday phrasing that the first classifier misread as hate or violence (issue #14): lettering
// on signs and posters, colours next to nouns and as backgrounds, counts, numbers, made-up tokens,
// and idioms that borrow violent words. Written for that issue; the benign benchmark set
// (benign-set.ts) uses its own idioms, and a test checks the two idiom lists share none.

/** Idioms and everyday phrases with violent or crude words in a harmless sense (training only). */
export const EVERYDAY_IDIOMS = [
  'aim high', 'reach for the moon', 'a knockout performance', 'knock yourself out', 'killer deal on shoes', 'a killer workout', 'kill the lights', 'kill the engine', 'killing it on stage',
  'shoot your shot', 'shoot me an email', 'a long shot', 'call the shots', 'big shot at the office', 'a mug shot of a coffee mug', 'bite the dust', 'dead as a doornail', 'dead serious',
  'dead quiet library', 'deadpan humour', 'a dead heat at the finish', 'drop dead funny', 'to die for pasta', 'never say die', 'the die is cast', 'blow the whistle', 'blown away by the view',
  'a blowout sale', 'bombshell news', 'a bomb of a movie', 'da bomb burrito', 'beat the eggs', 'beat it', 'beaten path through the woods', 'fight the good fight', 'a fighting spirit',
  'cut corners', 'cut it out', 'short cut through the park', 'cutthroat game of monopoly', 'a sharp-dressed man', 'a war on clutter', 'battle of the bands', 'armed to the teeth with snacks',
  'trigger happy photographer', 'triggered a landslide of laughter', 'bullet points on a slide', 'bullet journal', 'a bullet train', 'a gun dog in a field', 'glue gun crafts', 'top gun trophy',
  'hit the jackpot', 'hit the sack', 'a smash hit', 'smashed avocado toast', 'crushing it at the gym', 'an ambush of tigers', 'a massacre of a cake in the oven', 'dying laughing',
  'strangle vine in the garden', 'choke cherry jam', 'hang ten on a surfboard', 'hanging gardens', 'a cliffhanger ending', 'drowning in paperwork', 'burned the toast', 'on fire at the poker table',
  'slaughtered the competition at chess', 'execute the plan', 'the execution of a dance routine', 'a hostage to fortune', 'a race against the clock', 'a bloody brilliant idea', 'a gory horror movie poster with a cartoon pumpkin',
  'black coffee', 'white wine', 'black tie event', 'white noise machine', 'black hole in space', 'white water rafting', 'a blackboard', 'a whiteboard', 'blackout curtains', 'white christmas',
];

/** Frames for lettering; {w} is a word or short phrase. */
export const LETTERING_FRAMES = [
  'a sign that says {w}', 'a sign that says {W}', 'a poster with the words "{w}"', 'a banner reading {W}', 'a label that says "{w}"', 'neon letters spelling {w}', 'a t-shirt printed with {W}',
  'a chalkboard that reads {w}', 'a shop window with {W} painted on it', 'a road sign saying {W}', 'a mug with {w} written on it', 'graffiti that says {W} on a brick wall', 'a cake with {w} in icing',
  'a billboard reading {W}', 'a doormat that says {w}', 'a sticker with the word {W}', 'a book cover titled {w}', 'a greeting card saying {w}',
];

/** Places and backgrounds built on colour words. */
export const COLOUR_GROUNDS = [
  'against white', 'against black', 'on white', 'on black', 'on a plain white background', 'on a plain black background', 'against a white wall', 'against a black curtain', 'on brown paper',
  'on a yellow table', 'against a pink sky', 'in a white room', 'on a gray floor', 'against a dark background', 'on a light background', 'on an orange plate', 'against a green hedge', 'on a red carpet',
  'against a purple backdrop', 'on a blue tablecloth',
];

/** Things that carry numbers. */
export const NUMBER_THINGS = ['a door with the number {n}', 'a football shirt with number {n}', 'a race car numbered {n}', 'a street sign for highway {n}', 'an apartment numbered {n}', 'a lottery ticket with {n}', 'a birthday balloon shaped like {n}', 'a scoreboard showing {n}', 'a train platform number {n}', 'a price label {n}'];
