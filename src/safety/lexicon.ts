// Category lexicons, written for this project. Each entry is a word or phrase with a weight:
//   1.0  unambiguous on its own (explicit sexual terms, "decapitated", "kill myself")
//   0.6  harmful on its own in most prompts, but borderline: blocked under `moderation: auto`,
//        allowed under `moderation: low` ("sexy", "lingerie", "massacre" in a history scene)
//   0.3  harmless alone, harmful next to other signals ("blood", "gun", "shoot"): weights in a
//        window add up (noisy-or), so "a man shot in the head, blood everywhere" is caught while
//        "a blood orange" is not.
// `unless` lists context words within a few tokens that make the reading benign ("breast cancer",
// "shoot a photo", "kill the process"). Context only ever cancels weak or medium entries; an
// entry of weight 1.0 has no escape hatch.
//
// Combination rules (`COMBOS`) fire when words of every listed class occur within a window:
// a minor together with anything sexual (zero tolerance), a violent verb aimed at a person,
// a protected group next to dehumanising words, a reflexive pronoun next to a way of self-harm,
// a farewell or a stated wish to die next to a means.
//
// Phrases are written in plain English; they pass through the same normaliser as prompts when
// the lexicon is compiled, so hyphens, case and repeated letters need no special care here.
// A trailing '*' makes the last word a prefix (decapitat* matches decapitated, decapitation).
import type { Category } from './categories.ts';
import { PUBLIC_FIGURES, TRADEMARKS } from './names.ts';

export interface LexiconEntry {
  phrase: string;
  category: Category;
  weight: number;
  unless?: readonly string[];
}

type Row = [phrase: string, weight: number, unless?: readonly string[]];

function rows(category: Category, list: Row[]): LexiconEntry[] {
  return list.map(([phrase, weight, unless]) => (unless ? { phrase, category, weight, unless } : { phrase, category, weight }));
}

const FOOD_BODY = ['chicken', 'turkey', 'duck', 'cancer', 'awareness', 'ribbon', 'pink', 'screening', 'mammogram', 'feeding', 'breastfeeding', 'milk', 'pump', 'stroke', 'swimming', 'pocket', 'plate', 'roast', 'grilled', 'recipe', 'fillet', 'survivor', 'exam', 'health', 'diagram', 'anatomy', 'medical', 'textbook'];
const NUDE_COLOR = ['color', 'colour', 'colored', 'coloured', 'shade', 'shades', 'tone', 'toned', 'tones', 'lipstick', 'lip', 'lips', 'gloss', 'blush', 'palette', 'makeup', 'heels', 'shoes', 'pumps', 'flats', 'slippers', 'sandals', 'boots', 'sneakers', 'nail', 'nails', 'manicure', 'polish', 'beige', 'foundation', 'eyeshadow', 'stockings', 'tights', 'pantyhose', 'bra', 'handbag'];
const NAKED_BENIGN = ['eye', 'eyes', 'mole', 'rat', 'flame', 'flames', 'cake', 'truth', 'tree', 'trees', 'branches', 'wall', 'bulb', 'wire', 'ambition', 'singularity', 'lady', 'ladies'];
const PHOTO = ['fashion', 'editorial', 'magazine', 'catalog', 'catalogue', 'campaign', 'scenes', 'photo', 'photos', 'photograph', 'photographs', 'photography', 'photographer', 'photoshoot', 'picture', 'pictures', 'camera', 'film', 'video', 'movie', 'scene', 'portrait', 'portraits', 'wedding', 'bride', 'groom', 'headshot', 'headshots', 'shots', 'hoops', 'basketball', 'hoop', 'stars', 'moon', 'breeze', 'episode', 'commercial', 'footage'];
const SHOT_BENIGN = [...PHOTO, 'espresso', 'coffee', 'whiskey', 'tequila', 'vodka', 'glass', 'glasses', 'flu', 'vaccine', 'booster', 'close', 'wide', 'long', 'screen', 'mug', 'snap', 'big', 'chaser', 'jello', 'drone', 'aerial', 'tracking', 'golf', 'putt', 'slap', 'free', 'throw', 'goal', 'dark'];
const TOY = ['toy', 'toys', 'water', 'nerf', 'squirt', 'bubble', 'glue', 'nail', 'staple', 'heat', 'spray', 'paint', 'caulk', 'flower', 'flowers', 'plastic', 'cardboard', 'foam', 'balloon', 'balloons', 'candy', 'chocolate', 'lego', 'cookie', 'cake', 'museum', 'antique', 'starting', 'laser', 'tag', 'props', 'prop', 'massage', 'glitter', 'confetti', 'pepper', 'grease', 'radar', 'speed', 'top'];
const KILL_BENIGN = ['process', 'processes', 'task', 'tasks', 'job', 'jobs', 'switch', 'background', 'server', 'app', 'application', 'program', 'thread', 'command', 'time', 'weeds', 'weed', 'germs', 'bacteria', 'whale', 'whales', 'lights', 'engine', 'mood', 'vibe', 'deal', 'feature', 'it', 'buzz', 'two', 'birds', 'darlings', 'boredom', 'battery', 'signal', 'terminal', 'session', 'daemon', 'port', 'container', 'containers', 'pod', 'pods', 'instance', 'instances', 'pid', 'restarted', 'restart'];
const BLOOD_BENIGN = ['orange', 'oranges', 'moon', 'type', 'types', 'test', 'tests', 'donation', 'donations', 'donor', 'donors', 'donate', 'drive', 'bank', 'cell', 'cells', 'pressure', 'sugar', 'vessel', 'vessels', 'brother', 'brothers', 'sample', 'samples', 'mary', 'diamond', 'lust', 'lines', 'bloodline', 'transfusion', 'group', 'plasma', 'circulation', 'hound', 'red', 'cocktail'];
const DEAD_BENIGN = ['tree', 'trees', 'leaves', 'leaf', 'end', 'sea', 'grateful', 'battery', 'night', 'flowers', 'plant', 'plants', 'pixel', 'pixels', 'center', 'centre', 'wood', 'branch', 'branches', 'heat', 'day', 'days', 'calm', 'silence', 'line', 'language', 'poets', 'zone', 'rose', 'roses', 'bolt', 'weight', 'lift', 'mall', 'ringer'];
const BOMB_BENIGN = ['bath', 'photo', 'calorie', 'seed', 'seeds', 'glitter', 'flavor', 'flavour', 'cake', 'cherry', 'pop', 'shell', 'drop', 'colour', 'color', 'dot', 'confetti', 'f', 'atomic', 'museum'];
const PREVENTION = ['prevention', 'awareness', 'hotline', 'helpline', 'lifeline', 'support', 'crisis', 'counselling', 'counseling', 'therapy', 'recovery', 'hope', 'ribbon', 'squad', 'charity', 'month', 'day', 'walk', 'survivors', 'research'];
const HINDU = ['hindu', 'hinduism', 'buddhist', 'buddhism', 'jain', 'temple', 'temples', 'sanskrit', 'ancient', 'diwali', 'rangoli', 'auspicious', 'indian', 'mandala', 'tibetan'];

export const SEXUAL = rows('sexual', [
  ['porn', 1], ['porno', 1], ['pornography', 1], ['pornographic', 1], ['pron', 1], ['xxx', 1], ['nsfw', 1], ['hentai', 1],
  ['smut', 1], ['x rated', 1], ['adult film', 1], ['adult video', 1], ['adult content', 0.9], ['sex tape', 1],
  ['sex', 0.8, ['chromosome', 'chromosomes', 'education', 'ed', 'determination', 'ratio', 'differences', 'difference', 'cells', 'pistols', 'beach', 'linked', 'city']],
  ['having sex', 1], ['sex scene', 1], ['sex act', 1], ['sexual intercourse', 1], ['intercourse', 1], ['sexual', 0.7, ['health', 'education', 'harassment', 'orientation', 'selection', 'reproduction', 'dimorphism', 'awareness']],
  ['sexually', 0.8, ['transmitted', 'reproducing', 'dimorphic', 'mature']], ['sexualized', 1], ['sexualised', 1], ['sexting', 1],
  ['blowjob', 1], ['blow job', 1], ['handjob', 1], ['fellatio', 1], ['cunnilingus', 1], ['masturbat*', 1], ['orgasm*', 1],
  ['orgy', 1], ['orgies', 1], ['ejaculat*', 1], ['cumshot', 1], ['creampie', 1], ['cum', 0.8], ['semen', 0.9],
  ['genitals', 1], ['genitalia', 1], ['penis', 1], ['penises', 1], ['vagina', 1], ['vulva', 1], ['clitoris', 1], ['testicles', 1], ['erection', 1],
  ['dildo', 1], ['sex toy', 1], ['vibrator', 0.7], ['bdsm', 1], ['bondage', 0.7], ['fetish', 0.6], ['kinky', 0.7],
  ['nipple', 0.7, ['baby', 'bottle', 'pipe', 'plumbing', 'fitting']], ['nipples', 0.8],
  ['nude', 0.8, NUDE_COLOR], ['nudes', 1], ['nudity', 0.8], ['nudist', 0.8], ['naturist', 0.6], ['naked', 0.8, NAKED_BENIGN],
  ['topless', 0.8], ['bottomless', 0.7, ['pit', 'cup', 'brunch', 'mimosas', 'mimosa', 'abyss', 'well', 'coffee', 'fries']], ['unclothed', 0.8], ['undressed', 0.7], ['undressing', 0.7], ['disrobed', 0.7], ['disrobing', 0.7],
  ['full frontal', 1], ['stark naked', 1], ['birthday suit', 0.8], ['in the buff', 0.8], ['wearing nothing', 0.8], ['wearing only a smile', 0.9],
  ['not wearing anything', 0.8], ['nothing on', 0.4], ['clothing optional', 0.7], ['skinny dipping', 0.6],
  ['striptease', 0.9], ['strip tease', 0.9], ['stripper', 0.7, ['wire', 'paint', 'varnish', 'tool']], ['strip club', 0.9], ['strip show', 0.9], ['lap dance', 0.7], ['pole dancer', 0.4], ['pole dancing', 0.4],
  ['lingerie', 0.6], ['panties', 0.7], ['thong', 0.5, ['sandal', 'sandals', 'flip', 'flops']], ['g string', 0.6], ['underwear', 0.3], ['bra', 0.2, ['sports']],
  ['erotic', 0.9], ['erotica', 1], ['sensual', 0.4], ['seductive', 0.55], ['seductively', 0.6], ['sexy', 0.55, ['car', 'cars', 'convertible', 'vehicle', 'motorcycle', 'font', 'typography', 'logo', 'kitchen', 'gadget', 'phone', 'design', 'engine', 'guitar', 'watch', 'yacht']], ['provocative', 0.4], ['suggestive', 0.5],
  ['horny', 0.9], ['aroused', 0.8], ['lewd', 0.9], ['obscene', 0.6], ['explicit', 0.5, ['content warning', 'lyrics', 'instructions']],
  ['camgirl', 0.9], ['onlyfans', 0.9], ['playboy', 0.6], ['prostitute', 0.6], ['brothel', 0.7], ['hooker', 0.5, ['rugby']], ['escort', 0.3, ['police', 'military', 'ship', 'convoy', 'car']],
  ['boobs', 0.8], ['tits', 0.8, ['blue', 'great', 'bird', 'birds', 'nest', 'feeder', 'coal', 'tree', 'branch', 'branches', 'twig', 'hedge']], ['titties', 1], ['boobies', 0.6, ['bird', 'birds', 'footed', 'blue']],
  ['breasts', 0.5, FOOD_BODY], ['breast', 0.3, FOOD_BODY], ['bare breasts', 1], ['cleavage', 0.5, ['rock', 'mineral', 'crystal', 'cell']], ['busty', 0.7],
  ['buttocks', 0.6], ['butt', 0.3, ['cigarette', 'rifle', 'joint', 'pork', 'head']], ['ass', 0.5, ['donkey', 'kick', 'wild', 'bad', 'jack']], ['booty', 0.4, ['pirate', 'pirates', 'treasure', 'chest', 'gold']],
  ['crotch', 0.5], ['groin', 0.3, ['injury', 'muscle', 'strain', 'vault', 'vaults']], ['pussy', 0.9, ['cat', 'willow', 'willows', 'kitten']], ['cock', 0.7, ['rooster', 'hen', 'farm', 'weather', 'crow', 'crowing', 'crows', 'crowed', 'fight', 'pheasant', 'robin', 'tail', 'cocktail', 'barn', 'spaniel', 'doodle']],
  ['dick', 0.6, ['moby', 'van', 'tracy', 'philip']], ['rape', 1, ['seed', 'oilseed', 'field', 'fields', 'flowers', 'canola']], ['raped', 1], ['raping', 1], ['rapist', 1],
  ['molest*', 1], ['groping', 0.9], ['groped', 0.9], ['upskirt', 1], ['voyeur', 0.8], ['voyeuristic', 0.8], ['sex worker', 0.6],
  ['kamasutra', 0.9], ['kama sutra', 0.9], ['missionary position', 1], ['doggy style', 1], ['cowgirl position', 1], ['spread legs', 0.8], ['spreading her legs', 1],
  // Euphemisms and slang for nudity and sex acts.
  ['au naturel', 0.6, ['hair', 'makeup', 'food', 'ingredients', 'wine', 'garden', 'wood', 'finish', 'look']], ['in the altogether', 0.8], ['in the raw', 0.5, ['food', 'fish', 'vegan', 'diet', 'sushi', 'material', 'materials', 'data', 'footage']],
  ['without a stitch', 0.9], ['not a stitch', 0.8], ['as nature intended', 0.5, ['garden', 'forest', 'meadow', 'river', 'food', 'wine']], ['wearing nothing but', 0.6],
  ['lovemaking', 0.7], ['carnal', 0.7], ['coitus', 1], ['copulating', 0.6, ['frogs', 'toads', 'insects', 'flies', 'documentary', 'nature', 'species']], ['fornicat*', 0.9], ['sixty nine position', 1], ['69 position', 1],
  ['doing the deed', 0.6], ['getting it on', 0.7], ['bumping uglies', 1], ['knocking boots', 0.8], ['hanky panky', 0.5], ['between the sheets', 0.4], ['friends with benefits', 0.4],
  ['pleasuring herself', 1], ['pleasuring himself', 1], ['pleasuring themselves', 1], ['touching herself', 0.7], ['touching himself', 0.7], ['playing with herself', 0.7], ['playing with himself', 0.7],
  ['threesome', 0.8], ['foursome', 0.8, ['golf', 'golfers', 'tennis', 'band']], ['gangbang', 1], ['gang bang', 1], ['bukkake', 1], ['ahegao', 1], ['futanari', 1], ['yiff', 1], ['rule 34', 1], ['r18', 0.8], ['ecchi', 0.8], ['oppai', 0.8],
  ['nip slip', 0.9], ['wardrobe malfunction', 0.6], ['money shot', 0.6, ['basketball', 'game', 'goal', 'finance', 'stock', 'bank', 'cash', 'dollars']], ['peep show', 0.7], ['triple x', 0.9], ['skin flick', 1], ['dirty movie', 0.8], ['dirty magazine', 0.8],
  ['private parts', 0.7], ['privates', 0.5, ['army', 'soldiers', 'soldier', 'military', 'barracks']], ['manhood', 0.4, ['rite', 'passage', 'ceremony', 'ritual']], ['family jewels', 0.4, ['vault', 'heirloom', 'heirlooms', 'crown', 'tiara', 'necklace', 'inheritance']],
  ['moaning', 0.4, ['ghost', 'ghosts', 'wind', 'zombie', 'zombies', 'pain', 'injured', 'patient']], ['climaxing', 0.7], ['lustful', 0.6], ['steamy', 0.4, ['coffee', 'tea', 'soup', 'bath', 'window', 'windows', 'kitchen', 'sauna', 'jungle', 'forest', 'shower', 'mirror', 'cup', 'mug', 'ramen', 'dumplings', 'morning', 'city', 'streets', 'pot']],
  ['racy', 0.4, ['car', 'cars', 'stripes', 'bike', 'boat', 'yacht', 'font']], ['risque', 0.4], ['x rated', 1], ['adults only', 0.5, ['pool', 'resort', 'hotel', 'cruise', 'party', 'bar', 'wine']], ['uncensored', 0.4, ['news', 'journalism', 'press', 'speech', 'history', 'interview']],
  ['boudoir', 0.6], ['wet t shirt', 0.7], ['bedroom eyes', 0.4], ['pinup', 0.3], ['pin up', 0.3], ['see through', 0.3, ['glass', 'window', 'bottle', 'container', 'box', 'case', 'bag', 'umbrella', 'jar', 'plastic', 'acrylic']],
]);

export const MINOR_TERMS = rows('minors', [
  ['loli', 1], ['lolicon', 1], ['shota', 1], ['shotacon', 1], ['jailbait', 1], ['child porn', 1], ['kiddie porn', 1], ['csam', 1],
  ['pedo', 1], ['pedophile', 1], ['paedophile', 1], ['pedophilia', 1], ['paedophilia', 1], ['child abuse material', 1],
  ['child exploitation', 1], ['pre teen', 0.3], ['preteen', 0.3], ['underage', 0.3, ['drinking', 'smoking', 'drivers', 'driving']],
]);

export const VIOLENCE = rows('violence', [
  ['gore', 0.9, ['vidal', 'al', 'tex']], ['gory', 1], ['gruesome', 0.8], ['decapitat*', 1], ['behead*', 1], ['dismember*', 1], ['disembowel*', 1], ['eviscerat*', 1], ['mutilat*', 1],
  ['entrails', 0.9], ['intestines', 0.4, ['anatomy', 'diagram', 'medical', 'textbook', 'model', 'digestive']], ['guts', 0.4, ['glory', 'spill']], ['severed head', 1], ['severed heads', 1], ['severed', 0.6, ['ties', 'cable', 'rope', 'connection', 'tie']],
  ['bloodbath', 0.9], ['blood bath', 0.9], ['massacre', 0.8], ['massacred', 0.9], ['slaughtered', 0.8], ['slaughtering', 0.8], ['slaughter', 0.6, ['house', 'slaughterhouse']],
  ['mass shooting', 1], ['school shooting', 1], ['shooting spree', 1], ['killing spree', 1], ['murder', 0.6, ['mystery', 'mysteries', 'crows', 'crow', 'board', 'game', 'novel', 'podcast', 'party', 'she', 'wrote']], ['murdered', 0.8], ['murdering', 0.9], ['murders', 0.6],
  ['corpse', 0.5, ['flower', 'lily', 'bride', 'reviver', 'paint']], ['corpses', 0.7], ['dead body', 0.6, ['my']], ['dead bodies', 0.8], ['mangled', 0.6, ['metal', 'car', 'bike', 'wreck']], ['impaled', 0.8],
  ['torture', 0.8, ['rack', 'museum', 'device']], ['tortured', 0.8], ['torturing', 0.9], ['lynching', 1], ['lynched', 1], ['stabbing', 0.8], ['stabbed', 0.8], ['bludgeon*', 0.9],
  ['blood splatter', 0.8], ['blood spatter', 0.8], ['blood soaked', 0.9], ['pool of blood', 0.9], ['covered in blood', 0.8], ['bleeding out', 0.9], ['dripping blood', 0.7],
  ['bloody', 0.4, ['mary', 'marys', 'cocktail']], ['blood', 0.3, BLOOD_BENIGN], ['gunshot wound', 1], ['gunshot wounds', 1], ['bullet wound', 1], ['bullet wounds', 1], ['bullet holes', 0.4],
  ['shot dead', 1], ['shot in the head', 1], ['blown apart', 0.8], ['burned alive', 1], ['burning alive', 1], ['burnt alive', 1], ['skinned alive', 1], ['buried alive', 0.8],
  ['beaten to death', 1], ['stabbed to death', 1], ['hacked to death', 1], ['tortured to death', 1], ['execution style', 1], ['firing squad', 0.7], ['gouged out', 1], ['eyes gouged', 1],
  ['carnage', 0.8], ['snuff film', 1], ['animal cruelty', 0.9], ['terrorist attack', 0.9], ['terror attack', 0.9], ['suicide bomber', 1], ['suicide vest', 1], ['car bomb', 0.8], ['genocide', 0.9],
  ['war crime', 0.7], ['war crimes', 0.7], ['ethnic cleansing', 1], ['decomposing body', 1], ['rotting corpse', 1], ['exposed bone', 0.8], ['brain matter', 1], ['splattered brains', 1],
  ['kill', 0.35, KILL_BENIGN], ['kills', 0.35, KILL_BENIGN], ['killing', 0.5, KILL_BENIGN], ['killed', 0.5, KILL_BENIGN], ['killer', 0.3, [...KILL_BENIGN, 'look', 'outfit', 'smile', 'view', 'heels', 'instinct', 'bee', 'bees', 'sudoku', 'queen']],
  ['gun', 0.25, TOY], ['guns', 0.25, TOY], ['pistol', 0.25, TOY], ['rifle', 0.2, TOY], ['shotgun', 0.25, [...TOY, 'seat', 'wedding', 'ride']], ['assault rifle', 0.4], ['machine gun', 0.4, TOY],
  ['knife', 0.2, ['kitchen', 'butter', 'bread', 'chef', 'chefs', 'cutting', 'board', 'vegetables', 'steak', 'pocket', 'palette', 'cheese', 'sharpening', 'fork', 'spoon', 'table', 'whittling']],
  ['shoot', 0.3, PHOTO], ['shooting', 0.35, [...PHOTO, 'star', 'stars', 'range', 'guard', 'gallery', 'sports', 'clay', 'practice', 'hoops', 'free', 'archery']], ['shot', 0.2, SHOT_BENIGN],
  ['stab', 0.5, ['take', 'taking', 'took']], ['stabs', 0.5], ['bomb', 0.3, BOMB_BENIGN], ['bombing', 0.5, ['photo']], ['explosion', 0.15, ['color', 'colour', 'flavor', 'flavour', 'confetti', 'glitter', 'flowers', 'paint']],
  ['dead', 0.2, DEAD_BENIGN], ['death', 0.3, ['valley', 'star', 'metal', 'cab', 'cap', 'stranding', 'tarot', 'card']], ['dying', 0.3, ['plant', 'plants', 'flowers', 'fabric', 'wool', 'hair', 'sun', 'light', 'embers', 'fire', 'leaves', 'battery']],
  ['victim', 0.3], ['victims', 0.4], ['wounded', 0.4, ['pride', 'ego', 'knee']], ['wounds', 0.4, ['healing', 'old', 'emotional']], ['injured', 0.3], ['bleeding', 0.5, ['heart', 'hearts', 'edge', 'ink', 'colors', 'colours', 'dye', 'paint']],
  ['brutal', 0.3, ['honesty', 'truth', 'heat', 'winter', 'cold', 'architecture', 'brutalist']], ['brutally', 0.6], ['violent', 0.4, ['storm', 'storms', 'wind', 'winds', 'waves', 'sea', 'colors', 'colours', 'eruption', 'video']], ['violence', 0.4, ['domestic', 'prevention', 'awareness', 'anti', 'end', 'stop']],
  ['assault', 0.4, ['course', 'vehicle', 'ship', 'boat', 'senses']], ['hostage', 0.5], ['hostages', 0.5], ['kidnap*', 0.5], ['abuse', 0.4, ['substance', 'drug', 'alcohol', 'awareness', 'prevention', 'helpline']],
  ['beating', 0.25, ['heart', 'eggs', 'egg', 'drum', 'drums', 'rain', 'sun', 'wings', 'odds', 'traffic', 'carpet', 'rug']], ['beaten', 0.25, ['eggs', 'egg', 'path', 'track', 'copper', 'metal', 'gold', 'silver', 'tin']],
  ['strangl*', 0.7, ['fig', 'vine', 'vines']], ['choking', 0.4, ['hazard', 'vine', 'smoke', 'dust']], ['noose', 0.4, ['knot', 'knots', 'sailing', 'rope', 'hangman', 'game', 'lasso']],
  ['execution', 0.4, ['code', 'flawless', 'perfect', 'program', 'plan', 'strategy', 'task', 'order', 'trade', 'remote', 'contract']], ['executed', 0.4, ['perfectly', 'flawlessly', 'code', 'program', 'command', 'script', 'plan', 'design', 'well', 'beautifully']],
  ['butchered', 0.7, ['language', 'song', 'recipe', 'word', 'cow', 'pig', 'meat']], ['maimed', 0.9], ['maul*', 0.5, ['ball']], ['slit throat', 1], ['throat slit', 1], ['cut throat', 0.6, ['competition', 'business', 'trout', 'finch', 'razor', 'world']],
  // Euphemisms and descriptions of killing and of its aftermath.
  ['riddled with bullets', 1], ['bullet riddled', 0.8, ['car', 'sign', 'wall', 'door', 'building', 'museum', 'wreck']], ['point blank', 0.4, ['question', 'refused', 'range', 'asked', 'answer']], ['gunned down', 1], ['mowed down', 0.7, ['grass', 'lawn', 'field', 'hay', 'wheat', 'meadow']], ['mown down', 0.7, ['grass', 'lawn', 'field', 'hay', 'meadow']],
  ['left for dead', 0.8], ['lifeless body', 0.8], ['lifeless bodies', 0.9], ['pile of bodies', 1], ['piles of bodies', 1], ['bodies piled', 1], ['stacked bodies', 1], ['bodies stacked', 1], ['mass grave', 0.7, ['memorial', 'history', 'historical', 'museum', 'archaeology', 'archaeologists', 'excavation', 'documentary', 'forensic']],
  ['bled out', 0.9], ['bleeding to death', 1], ['bled to death', 1], ['limb from limb', 1], ['torn apart', 0.4, ['paper', 'map', 'letter', 'book', 'couch', 'pillow', 'dog', 'toy', 'heart', 'emotionally', 'family', 'country']], ['ripped apart', 0.4, ['paper', 'map', 'letter', 'book', 'couch', 'pillow', 'toy', 'heart', 'emotionally', 'fabric', 'jeans']],
  ['brains out', 0.9], ['blew his brains', 1], ['blew her brains', 1], ['caved in skull', 1], ['skull caved', 1], ['smashed skull', 1], ['crushed skull', 1], ['beaten to a pulp', 1], ['to a bloody pulp', 1], ['face smashed', 0.7],
  ['pistol whip*', 0.9], ['curb stomp*', 1], ['kneecapp*', 0.8], ['waterboard*', 0.8], ['acid attack', 1], ['drive by shooting', 1], ['lynch mob', 1], ['pogrom', 0.9], ['mass killing', 1], ['mass murder', 1], ['mass murderer', 1],
  ['atrocity', 0.6, ['memorial', 'museum', 'history', 'historical', 'remembrance', 'documentary', 'fashion', 'architectural']], ['atrocities', 0.6, ['memorial', 'museum', 'history', 'historical', 'remembrance', 'documentary']], ['cannibal*', 0.5, ['cartoon', 'fish', 'galaxy', 'galaxies', 'band', 'plant', 'plants']], ['human flesh', 0.9],
  ['put a bullet', 0.9], ['bullet in his head', 1], ['bullet in her head', 1], ['bullet through', 0.6, ['apple', 'card', 'glass', 'slow', 'motion', 'photography', 'target']], ['throat cut', 1], ['cut his throat', 1], ['cut her throat', 1], ['ear to ear', 0.4, ['smile', 'smiling', 'grin', 'grinning', 'beaming', 'happy']],
  ['set on fire', 0.5, ['car', 'building', 'house', 'forest', 'trash', 'barn', 'candle', 'dessert', 'flambe', 'stage', 'crepes', 'logs', 'bonfire']], ['doused in gasoline', 0.6, ['car', 'fire', 'grill', 'logs', 'barbecue']],
  ['executes', 0.4, ['code', 'program', 'script', 'plan', 'order', 'trade', 'command', 'query', 'move', 'dive', 'trick', 'jump']],
  ['hanged', 0.6, ['man', 'tarot', 'card', 'picture', 'painting', 'wallpaper']], ['electrocuted', 0.6], ['drowned', 0.5, ['fries', 'sauce', 'syrup', 'sorrows', 'out', 'noise', 'rain']], ['drowning', 0.4, ['paperwork', 'work', 'emails', 'sorrows', 'debt', 'noise']],
]);

export const SELF_HARM = rows('self_harm', [
  ['suicide', 0.7, PREVENTION], ['suicidal', 0.8, PREVENTION], ['kill myself', 1], ['kill herself', 1], ['kill himself', 1], ['kill themselves', 1], ['kill yourself', 1], ['killing myself', 1], ['killing herself', 1], ['killing himself', 1], ['killed herself', 1], ['killed himself', 1], ['kms', 0.7],
  ['end my life', 1], ['end her life', 1], ['end his life', 1], ['end their life', 1], ['end it all', 0.8], ['take my own life', 1], ['took her own life', 1], ['took his own life', 1], ['taking her own life', 1], ['taking his own life', 1], ['own life', 0.5],
  ['self harm', 1, PREVENTION], ['self harming', 1], ['self injury', 1, PREVENTION], ['self mutilation', 1], ['self inflicted', 0.8], ['selfharm', 1], ['cutting myself', 1], ['cutting herself', 1], ['cutting himself', 1],
  ['slit wrists', 1], ['slit her wrists', 1], ['slit his wrists', 1], ['slit my wrists', 1], ['slashed wrists', 1], ['suicide note', 1], ['overdose', 0.6, PREVENTION], ['overdosing', 0.8], ['overdosed', 0.7],
  ['pro ana', 1], ['pro mia', 1], ['thinspiration', 1], ['thinspo', 1], ['bonespo', 1], ['meanspo', 1], ['anorexic', 0.4, PREVENTION], ['anorexia', 0.35, PREVENTION], ['bulimic', 0.4, PREVENTION], ['purging', 0.3, ['files', 'cache', 'data', 'logs', 'closet']],
  ['thigh gap', 0.5], ['ribs showing', 0.4], ['emaciated', 0.4, ['dog', 'horse', 'cat', 'rescue', 'animal', 'stray', 'famine', 'refugees']], ['razor blade', 0.3, ['shaving', 'razor']], ['razor blades', 0.3],
  ['about to jump', 0.5, ['pool', 'trampoline', 'lake', 'river', 'water', 'parachute', 'plane', 'skydive', 'bungee', 'rope', 'hurdle', 'puddle', 'joy']], ['hang myself', 1], ['hang herself', 1], ['hang himself', 1], ['hanging herself', 1], ['hanging himself', 1], ['hanged herself', 1], ['hanged himself', 1],
  // Euphemisms and slang for suicide and self-injury, and for starving and purging.
  ['unalive', 1], ['unaliving', 1], ['unalived', 1], ['kys', 0.9], ['sewerslide', 1], ['end things', 0.6, ['relationship', 'breakup', 'boyfriend', 'girlfriend', 'terms']], ['ending things', 0.6, ['relationship', 'breakup', 'boyfriend', 'girlfriend']],
  ['tired of living', 0.9], ['tired of life', 0.8], ['done with life', 0.8], ['done with living', 0.9], ['not worth living', 0.9], ['never wake up', 0.6, ['dream', 'dreaming', 'wish', 'vacation', 'holiday', 'bed', 'cozy', 'sleepy', 'lazy']], ['not wake up', 0.5, ['alarm', 'late', 'early', 'baby', 'dog', 'cat']],
  ['final exit', 0.8], ['lethal dose', 0.9], ['fatal dose', 0.9], ['deadly dose', 0.9], ['handful of pills', 0.5], ['handfuls of pills', 0.8], ['whole bottle of pills', 0.8], ['stockpiled pills', 0.8],
  ['farewell letter', 0.4, ['retirement', 'retiring', 'colleague', 'colleagues', 'museum', 'soldier', 'history', 'historical', 'team', 'fans', 'club', 'job', 'school']], ['goodbye letter', 0.4, ['retirement', 'retiring', 'colleague', 'colleagues', 'museum', 'soldier', 'history', 'team', 'fans', 'club', 'job', 'school', 'summer', 'camp']],
  ['hesitation marks', 1], ['self destruct*', 0.3, ['button', 'sequence', 'robot', 'spaceship', 'ship', 'machine', 'countdown', 'message', 'tape']], ['rope around her neck', 0.9], ['rope around his neck', 0.9], ['rope around their neck', 0.9], ['noose around', 1],
  ['ana coach', 1], ['ana buddy', 0.8], ['goal weight', 0.3], ['skin and bones', 0.4, ['dog', 'cat', 'horse', 'rescue', 'stray', 'famine', 'skeleton', 'halloween', 'anatomy']], ['hip bones', 0.2], ['ribcage', 0.2, ['anatomy', 'skeleton', 'diagram', 'xray', 'medical', 'museum', 'dinosaur', 'whale']],
  ['want to die', 0.9], ['wants to die', 0.9], ['wanted to die', 0.8], ['no reason to live', 0.9], ['better off dead', 0.9], ['goodbye cruel world', 0.9],
]);

// Slurs are stored ROT13-encoded so that reading, grepping or reviewing this file does not put
// them on screen; they are decoded once when the lexicon is compiled.
const ROT13_SLURS: Row[] = [
  ['avttre', 1], ['avttref', 1], ['avttn', 1], ['avttnf', 1], ['xvxr', 1], ['xvxrf', 1], ['fcvp', 1], ['fcvpf', 1], ['jrgonpx', 1], ['jrgonpxf', 1],
  ['snttbg', 1], ['snttbgf', 1], ['snt', 0.6, ['pvtnerggr', 'fzbxr', 'fzbxvat', 'oevgvfu', 'yvtug']], ['genaal', 0.9], ['genaavrf', 0.9], ['tbbx', 1], ['tbbxf', 1], ['enturnq', 1], ['enturnqf', 1],
  ['gbjryurnq', 1], ['gbjryurnqf', 1], ['fnaqavttre', 1], ['pbba', 0.6, ['ubhaq', 'qbt', 'enppbba', 'png', 'znvar', 'fxva', 'png']], ['ornare', 1], ['ornaref', 1],
  ['qlxr', 0.6, ['syrbq', 'qhgpu', 'frn', 'yrirr', 'jngre', 'qvgpu', 'fgbar']], ['ergneq', 0.7], ['ergneqf', 0.9], ['cnxv', 0.9], ['cnxvf', 0.9], ['wvtnobb', 1], ['cbepu zbaxrl', 1], ['xnssve', 1], ['tlccb', 1], ['furznyr', 0.9],
  ['puvax', 0.7, ['nezbe', 'nezbhe', 'yvtug', 'jnyy', 'phegnva', 'qbbe', 'ebpx']], ['puvaxf', 0.8, ['nezbe', 'nezbhe', 'yvtug', 'jnyy']],
];

function rot13(s: string): string {
  return s.replace(/[a-z]/g, (c) => String.fromCharCode(((c.charCodeAt(0) - 97 + 13) % 26) + 97));
}

export const HATE = rows('hate', [
  ...ROT13_SLURS.map(([p, w, u]): Row => (u ? [rot13(p), w, u.map(rot13)] : [rot13(p), w])),
  ['swastika', 0.7, HINDU], ['swastikas', 0.7, HINDU], ['heil hitler', 1], ['sieg heil', 1], ['white power', 1], ['white supremacy', 0.8, ['against', 'history', 'protest']], ['white supremacist', 0.8, ['against', 'protest']],
  ['kkk', 1], ['ku klux klan', 0.8, ['history', 'museum']], ['klansman', 0.8], ['klansmen', 0.8], ['1488', 1], ['master race', 1], ['race war', 0.9], ['final solution', 0.6], ['subhuman', 0.7], ['untermensch', 1],
  ['neo nazi', 0.9], ['nazi propaganda', 0.9], ['nazi flag', 0.8], ['nazi salute', 0.9], ['hitler salute', 0.9], ['racist caricature', 1], ['racist cartoon', 1], ['antisemitic', 0.8, ['against', 'fighting', 'combating']], ['anti semitic', 0.8, ['against', 'fighting', 'combating']],
  ['racist', 0.6, ['anti', 'against', 'protest', 'fighting']], ['homophobic', 0.6, ['anti', 'against']], ['transphobic', 0.6, ['anti', 'against']], ['islamophobic', 0.6, ['anti', 'against']], ['blackface', 0.9], ['hate symbol', 0.6, ['museum', 'education', 'awareness']],
  // Coded slogans, numbers and symbols of organised hate.
  ['14 words', 0.9], ['fourteen words', 0.9], ['white genocide', 1], ['great replacement', 0.8, ['debunk', 'debunked', 'debunking', 'against', 'history', 'myth', 'explained']], ['will not replace us', 1], ['day of the rope', 1],
  ['blood and soil', 0.9], ['race traitor', 1], ['race traitors', 1], ['mud people', 1], ['racial purity', 0.9, ['history', 'museum', 'against']], ['race mixing', 0.8], ['holohoax', 1], ['happy merchant', 1], ['zog', 0.7], ['totenkopf', 0.6, ['museum', 'history']], ['sonnenrad', 0.7, ['museum', 'history']],
  ['lebensraum', 0.6, ['history', 'museum', 'textbook']], ['whites only', 0.7, ['history', 'historical', 'museum', 'segregation', 'exhibit', 'memorial', 'documentary', 'archive']], ['six million was not enough', 1], ['hunted for sport', 0.4],
  ['hate speech', 0.6, ['against', 'anti', 'awareness']], ['burning cross', 0.8], ['cross burning', 0.9], ['gas chamber', 0.5, ['memorial', 'museum', 'history']], ['gas the', 0.7], ['death to', 0.5], ['go back to your country', 0.9], ['inferior race', 1], ['dirty jew', 1], ['dirty jews', 1],
]);

export const PUBLIC_FIGURE_TERMS: LexiconEntry[] = PUBLIC_FIGURES.map(([phrase, weight, unless]) =>
  unless ? { phrase, category: 'public_figures' as const, weight, unless } : { phrase, category: 'public_figures' as const, weight },
);
export const TRADEMARK_TERMS: LexiconEntry[] = TRADEMARKS.map(([phrase, weight, unless]) =>
  unless ? { phrase, category: 'trademarks' as const, weight, unless } : { phrase, category: 'trademarks' as const, weight },
);

export const LEXICON: LexiconEntry[] = [...SEXUAL, ...MINOR_TERMS, ...VIOLENCE, ...SELF_HARM, ...HATE, ...PUBLIC_FIGURE_TERMS, ...TRADEMARK_TERMS];

// ---------------------------------------------------------------- combination rules

export interface ComboRule {
  id: string;
  category: Category;
  weight: number;
  /** Each class must have a (not cancelled) hit within `window` tokens of the others. */
  classes: readonly WordClass[];
  window: number;
}

export interface WordClass {
  name: string;
  phrases: readonly string[];
  /** Also counts every lexicon hit of these categories with at least this weight. */
  lexiconCategories?: readonly Category[];
  minWeight?: number;
  unless?: readonly string[];
  /** Also counts ages under 18 written as numbers ("12 year old", "14yo"). */
  ages?: boolean;
}

export const MINOR_CLASS: WordClass = {
  name: 'minor',
  ages: true,
  phrases: [
    'child', 'children', 'childs', 'kid', 'kids', 'kiddie', 'toddler', 'toddlers', 'baby', 'babies', 'infant', 'infants', 'newborn', 'minor', 'minors', 'underage', 'preteen', 'pre teen', 'preteens',
    'teen', 'teens', 'teenage', 'teenager', 'teenagers', 'tween', 'tweens', 'juvenile', 'schoolgirl', 'schoolgirls', 'schoolboy', 'schoolboys', 'little girl', 'little girls', 'little boy', 'little boys',
    'young girl', 'young girls', 'young boy', 'young boys', 'small girl', 'small boy', 'girl scout', 'boy scout', 'elementary school', 'middle school', 'middle schooler', 'high schooler', 'grade schooler',
    'first grader', 'fifth grader', 'sixth grader', 'seventh grader', 'eighth grader', 'daughter', 'stepdaughter', 'niece', 'lolita', 'kindergarten', 'kindergartner', 'pubescent', 'prepubescent', 'boy', 'boys', 'girl', 'girls',
    'youngster', 'youngsters', 'son', 'stepson', 'nephew', 'student', 'students', 'pupil', 'pupils', 'cheerleader', 'barely legal', 'jr', 'junior',
  ],
};

// Words that sexualise a prompt; together with a minor they are refused whatever the moderation level.
const SEXUALISING: WordClass = {
  name: 'sexualising',
  lexiconCategories: ['sexual'],
  minWeight: 0.2,
  // Not 'bath', 'swimsuit', 'bedroom' or 'posing': a toddler in the bath or kids posing for a class
  // photo are ordinary family pictures.
  phrases: ['sexy', 'seductive', 'lingerie', 'provocative', 'sensual', 'suggestive', 'intimate', 'undress*', 'flirting', 'flirty', 'alluring', 'naughty', 'spread legs', 'stockings', 'fondling', 'erotic*', 'lust*'],
};
// Only the unmistakable minor markers combine with the weaker sexualising words, so that
// "a boy and a girl kissing in the rain" or "students posing for a class photo" stay allowed.
export const STRONG_MINOR: WordClass = {
  name: 'strong-minor',
  ages: true,
  phrases: MINOR_CLASS.phrases.filter((p) => !['boy', 'boys', 'girl', 'girls', 'son', 'stepson', 'nephew', 'student', 'students', 'pupil', 'pupils', 'cheerleader', 'jr', 'junior', 'daughter', 'niece', 'baby', 'babies', 'kiss', 'teen', 'teens'].includes(p)),
};
const EXPLICIT_SEXUAL: WordClass = { name: 'explicit-sexual', lexiconCategories: ['sexual'], minWeight: 0.5, phrases: ['undress*', 'fondling', 'touching her', 'touching him'] };
const SUGGESTIVE_ONLY: WordClass = {
  name: 'suggestive',
  lexiconCategories: ['sexual'],
  minWeight: 0.3,
  phrases: ['sexy', 'seductive', 'lingerie', 'provocative', 'sensual', 'suggestive', 'alluring', 'naughty', 'bedroom eyes', 'spread legs', 'stockings', 'fondling'],
};

const PERSON: WordClass = {
  name: 'person',
  phrases: [
    'man', 'woman', 'men', 'women', 'person', 'people', 'child', 'children', 'kid', 'kids', 'baby', 'boy', 'girl', 'guy', 'crowd', 'student', 'students', 'teacher', 'police', 'officer', 'cop', 'cops',
    'soldier', 'soldiers', 'civilian*', 'victim*', 'someone', 'somebody', 'him', 'her', 'them', 'neighbor', 'neighbour', 'wife', 'husband', 'family', 'prisoner*', 'hostage*', 'protester*', 'worker*',
    'dog', 'cat', 'puppy', 'kitten', 'animal*', 'horse', 'passerby', 'pedestrian*', 'stranger', 'classmate*', 'coworker*', 'boss', 'mother', 'father', 'mom', 'dad', 'brother', 'sister', 'girlfriend', 'boyfriend',
    'president', 'politician', 'journalist', 'priest', 'refugee*', 'immigrant*', 'shopper*', 'audience', 'worshippers', 'congregation', 'villager*', 'hiker', 'jogger',
  ],
};
const HARM_VERB: WordClass = {
  name: 'harm-verb',
  lexiconCategories: ['violence'],
  minWeight: 0.2,
  phrases: ['shoots', 'shooting', 'shot', 'stab*', 'kill*', 'murder*', 'strangl*', 'behead*', 'execut*', 'tortur*', 'beat', 'beating', 'beaten', 'burning', 'hanging', 'drown*', 'maim*', 'attacking', 'slash*', 'choking', 'bashing', 'bludgeon*', 'punching', 'kicking', 'stomping', 'whipping', 'lashing', 'bombing', 'gunning', 'run over', 'setting fire', 'set on fire', 'skinning', 'gutting'],
  unless: [...PHOTO, ...KILL_BENIGN, 'espresso', 'vaccine', 'flu', 'hoops', 'eggs', 'heart', 'drum', 'drums', 'plant', 'plants', 'picture', 'painting', 'lamp', 'basket', 'baskets', 'curtains', 'laundry', 'candles', 'candle', 'wood', 'logs', 'incense', 'code', 'plan', 'order', 'task', 'script', 'trade', 'fireplace', 'stove'],
};
const AIMING: WordClass = { name: 'aiming', phrases: ['pointing', 'pointed', 'aiming', 'aimed', 'aims', 'points', 'threatening', 'threatens', 'threatened', 'brandishing', 'brandishes', 'held to', 'pressed to'] };
const WEAPON: WordClass = { name: 'weapon', phrases: ['gun', 'guns', 'pistol', 'rifle', 'shotgun', 'revolver', 'knife', 'knives', 'machete', 'blade', 'axe', 'crossbow', 'sword', 'bat', 'handgun'], unless: TOY };
const GORE: WordClass = { name: 'gore', lexiconCategories: ['violence'], minWeight: 0.3, phrases: ['blood', 'bleeding', 'wounds', 'wounded', 'bruised', 'bruises', 'broken bones', 'limbs', 'flesh', 'skull', 'bones'], unless: BLOOD_BENIGN };
const BODY_PART_SEXUAL: WordClass = { name: 'private-part', phrases: ['breasts', 'breast', 'nipple', 'nipples', 'chest', 'buttocks', 'butt', 'genitals', 'crotch', 'groin', 'privates', 'private parts', 'bottom', 'body'] , unless: FOOD_BODY };
const EXPOSURE: WordClass = { name: 'exposure', phrases: ['bare', 'bared', 'exposed', 'exposing', 'uncovered', 'showing', 'flash', 'flashes', 'flashed', 'flashing', 'revealing', 'revealed', 'visible', 'naked', 'nude', 'out', 'uncensored', 'unclothed'] };
const REMOVING: WordClass = { name: 'removing', phrases: ['without', 'no', 'removing', 'removed', 'remove', 'took off', 'taking off', 'takes off', 'take off', 'taken off', 'pulling off', 'pulling down', 'pull down', 'pull off', 'strip*', 'shed*', 'lost', 'pulls off', 'pulled off', 'tearing off', 'torn off', 'ripped off', 'lifting', 'lifts', 'pulls down', 'pulled down', 'none', 'zero'] };
const CLOTHES: WordClass = {
  name: 'clothes',
  phrases: ['clothes', 'clothing', 'garments', 'outfit', 'bra', 'panties', 'underwear', 'top', 'shirt', 'dress', 'skirt', 'bikini', 'bikini top', 'bikini bottom', 'bikini bottoms', 'bottoms', 'swimsuit', 'pants', 'towel', 'robe', 'stitch', 'thread'],
  unless: ['closet', 'store', 'shop', 'rack', 'racks', 'hanger', 'hangers', 'laundry', 'wardrobe', 'suitcase', 'washing', 'folded', 'folding', 'mannequin', 'donation', 'donate', 'sewing', 'iron', 'ironing', 'drawer', 'boutique', 'seam', 'needle', 'tag', 'tags', 'stain', 'wrinkle', 'wrinkles', 'line', 'clothesline', 'dryer', 'fabric'],
};
const REFLEXIVE: WordClass = { name: 'reflexive', phrases: ['myself', 'herself', 'himself', 'themselves', 'yourself', 'ourselves', 'own', 'self'] };
const SELF_HARM_ACT: WordClass = {
  name: 'self-harm-act',
  phrases: ['cut', 'cuts', 'cutting', 'slit', 'slitting', 'slash*', 'burn', 'burns', 'burning', 'hang', 'hanging', 'hanged', 'harm*', 'hurt*', 'injur*', 'kill*', 'stab*', 'starv*', 'overdos*', 'poison*', 'drown*', 'shoot', 'shooting', 'shot', 'bleed*', 'end', 'ending', 'punish*', 'scratch*', 'carve', 'carving', 'carved'],
  unless: ['hair', 'bangs', 'vegetables', 'paper', 'cake', 'bread', 'wood', 'fabric', 'coupon', 'coupons', 'photo', 'photos', 'portrait', 'selfie', 'film', 'pumpkin', 'turkey', 'sculpture', 'statue', 'cookies', 'loaf', 'lawn', 'grass', 'hedge', 'cable', 'ribbon', 'costs', 'calories', 'carbs', 'sugar', 'fat', 'weight', 'day', 'story', 'song', 'business'],
};
const SELF_HARM_TARGET: WordClass = { name: 'self-harm-target', phrases: ['wrist', 'wrists', 'forearm', 'forearms', 'thigh', 'thighs', 'veins', 'vein', 'arms', 'skin'] };
const SELF_HARM_TOOL: WordClass = { name: 'self-harm-tool', phrases: ['razor', 'razors', 'blade', 'blades', 'slit', 'slits', 'slitting', 'slash*', 'cutting', 'cuts', 'scars', 'scarred', 'bleeding', 'scratches', 'carved', 'self inflicted'] };
const JUMP: WordClass = { name: 'jump', phrases: ['jump', 'jumps', 'jumping', 'leap', 'leaping', 'throwing herself', 'throwing himself', 'throw myself', 'fall', 'falling'] };
const HIGH_PLACE: WordClass = { name: 'high-place', phrases: ['ledge', 'rooftop', 'roof', 'bridge railing', 'skyscraper', 'tall building', 'balcony', 'overpass', 'train tracks', 'in front of a train'] };
const DESPAIR: WordClass = { name: 'despair', phrases: ['suicid*', 'end it', 'goodbye', 'hopeless', 'despair', 'final', 'last', 'no way out', 'nothing to live', 'ending', 'note', 'depressed', 'die'] };
// A stated wish to die or a farewell, next to a means: "a farewell letter beside the pill bottle".
const FAREWELL: WordClass = {
  name: 'farewell',
  phrases: ['suicid*', 'hopeless', 'hopelessness', 'despair', 'despairing', 'no way out', 'nothing to live for', 'end it', 'end things', 'ending things', 'goodbye note', 'goodbye letter', 'farewell note', 'farewell letter', 'final note', 'last note', 'final goodbye', 'last goodbye', 'worthless', 'give up on life', 'gave up on life', 'never wake up', 'let go for good', 'for good', 'one last time', 'last night alive', 'disappear forever'],
  unless: ['retirement', 'retiring', 'graduation', 'vacation', 'holiday', 'party', 'museum', 'colleague', 'colleagues', 'concert', 'tour', 'album', 'season', 'team', 'summer', 'camp', 'game', 'movie', 'poem', 'novel', 'story', 'song'],
};
const MEANS: WordClass = {
  name: 'means',
  phrases: ['pills', 'pill bottle', 'sleeping pills', 'painkillers', 'noose', 'rope', 'razor', 'razors', 'blade', 'blades', 'ledge', 'railing', 'rooftop edge', 'bridge', 'cliff', 'train tracks', 'railway tracks', 'gun', 'pistol', 'revolver', 'bleach', 'overdose', 'exhaust', 'gas oven'],
  unless: ['swing', 'climbing', 'climber', 'sailing', 'sailor', 'tug', 'skipping', 'vitamins', 'pharmacy', 'pharmacist', 'shaving', 'barber', 'skate', 'skates', 'toy', 'water', 'nerf', 'museum', 'starting'],
};
const STARVING: WordClass = { name: 'starving', phrases: ['starv*', 'skeletal', 'skin and bones', 'protruding ribs', 'visible ribs', 'emaciated', 'skipping meals', 'not eating', 'purge', 'purging', 'vomit*', 'throw up'] };
const BODY_GOAL: WordClass = { name: 'body-goal', phrases: ['goals', 'goal', 'inspiration', 'motivation', 'aspirational', 'beautiful', 'ideal', 'perfect body', 'dream body', 'thin', 'thinner', 'skinny', 'lose weight', 'aesthetic'] };

const GROUP: WordClass = {
  name: 'group',
  phrases: [
    'jews', 'jewish', 'jew', 'muslims', 'muslim', 'islam', 'christians', 'christian', 'catholics', 'hindus', 'sikhs', 'buddhists', 'atheists', 'blacks', 'black people', 'black man', 'black men', 'black woman', 'black women',
    'africans', 'african', 'asians', 'asian', 'chinese', 'japanese', 'koreans', 'mexicans', 'mexican', 'latinos', 'latino', 'hispanics', 'arabs', 'arab', 'immigrants', 'immigrant', 'refugees', 'migrants',
    'gays', 'gay', 'gay people', 'lesbians', 'lesbian', 'homosexuals', 'trans', 'transgender', 'trans people', 'women', 'indians', 'roma', 'gypsies', 'gypsy', 'disabled', 'disabled people', 'whites', 'white people',
    'palestinians', 'israelis', 'irish', 'polish', 'romanians', 'ukrainians', 'russians', 'native americans', 'indigenous', 'aboriginal', 'aboriginals', 'minorities', 'queer', 'bisexual', 'autistic', 'feminists',
  ],
};
const DEHUMANISING: WordClass = {
  name: 'dehumanising',
  lexiconCategories: ['hate'],
  minWeight: 0.5,
  phrases: [
    'vermin', 'rats', 'cockroach*', 'apes', 'ape', 'monkeys', 'monkey', 'subhuman', 'parasite*', 'disease', 'plague', 'inferior', 'filthy', 'savages', 'savage', 'exterminat*', 'eradicat*', 'wipe out', 'wiped out',
    'invaders', 'infestation', 'infesting', 'deport', 'deported', 'scum', 'trash', 'garbage', 'filth', 'caricature', 'stereotype*', 'hook nose', 'hooked nose', 'big nose', 'greedy', 'evil', 'should die', 'must die',
    'deserve to die', 'burn in hell', 'gassed', 'gas chamber', 'lynch*', 'hanged', 'hang', 'killed', 'kill all', 'beaten', 'mocking', 'mocked', 'degenerate*', 'animals', 'dogs', 'pigs', 'insects', 'criminals', 'rapists', 'terrorists',
    'not human', 'less than human', 'death to', 'hate', 'hated', 'disgusting', 'abomination', 'sick', 'mentally ill', 'groomers', 'thieves', 'dirty', 'stinking', 'lazy', 'stupid', 'ugly', 'vile', 'pest', 'pests', 'breeding',
  ],
};
const HISTORY: readonly string[] = ['history', 'historical', 'museum', 'documentary', 'textbook', 'memorial', 'archive', 'educational', 'ww2', 'wwii', 'liberation', 'remembrance', 'against', 'defeat', 'defeated', 'protest', 'trial', 'nuremberg', 'resistance'];
const HATE_SYMBOL: WordClass = { name: 'hate-symbol', phrases: ['nazi', 'nazis', 'swastika', 'ss', 'third reich', 'hitler', 'confederate', 'klan', 'kkk', 'white pride', 'aryan', 'fascist', 'supremacist'], unless: HISTORY };
const GLORIFY: WordClass = { name: 'glorify', phrases: ['glorious', 'glorifying', 'glorify', 'celebrating', 'celebrate', 'propaganda', 'poster', 'recruitment', 'rally', 'salute', 'saluting', 'flag', 'flags', 'banner', 'heroic', 'proud', 'pride', 'march', 'marching', 'armband', 'tattoo', 'uniform', 'hail', 'hailing'] };

export const COMBOS: ComboRule[] = [
  { id: 'minor+sexual', category: 'minors', weight: 1, classes: [MINOR_CLASS, EXPLICIT_SEXUAL], window: 24 },
  { id: 'minor+suggestive', category: 'minors', weight: 1, classes: [STRONG_MINOR, SEXUALISING], window: 12 },
  { id: 'minor+suggestive-weak', category: 'minors', weight: 1, classes: [MINOR_CLASS, SUGGESTIVE_ONLY], window: 8 },
  { id: 'exposed-body', category: 'sexual', weight: 0.9, classes: [BODY_PART_SEXUAL, EXPOSURE], window: 4 },
  { id: 'removed-clothes', category: 'sexual', weight: 0.8, classes: [REMOVING, CLOTHES], window: 6 },
  { id: 'harm-person', category: 'violence', weight: 0.6, classes: [HARM_VERB, PERSON], window: 6 },
  { id: 'weapon-aimed', category: 'violence', weight: 0.6, classes: [WEAPON, AIMING], window: 6 },
  { id: 'harm-gore', category: 'violence', weight: 0.6, classes: [HARM_VERB, GORE], window: 10 },
  { id: 'self-harm-reflexive', category: 'self_harm', weight: 1, classes: [REFLEXIVE, SELF_HARM_ACT], window: 3 },
  { id: 'self-harm-wrists', category: 'self_harm', weight: 1, classes: [SELF_HARM_TARGET, SELF_HARM_TOOL], window: 5 },
  { id: 'self-harm-jump', category: 'self_harm', weight: 0.8, classes: [JUMP, HIGH_PLACE, DESPAIR], window: 14 },
  { id: 'self-harm-eating', category: 'self_harm', weight: 0.8, classes: [STARVING, BODY_GOAL], window: 10 },
  { id: 'self-harm-means', category: 'self_harm', weight: 0.7, classes: [FAREWELL, MEANS], window: 10 },
  { id: 'hate-group', category: 'hate', weight: 0.9, classes: [GROUP, DEHUMANISING], window: 7 },
  { id: 'hate-symbol', category: 'hate', weight: 0.7, classes: [HATE_SYMBOL, GLORIFY], window: 8 },
];
