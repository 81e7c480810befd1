// Names lists for two categories. Names are facts; the lists were written for this project.
//
// Public figures: living or recently living people whose likeness is widely recognised
// (heads of state and government, politicians, royals, entertainers, athletes, business
// leaders). Full names match everywhere; a bare surname only where it is distinctive
// (obama, putin), and with context words that cancel the other readings ("trump card").
//
// Trademarks: protected characters, franchises and brand names whose logos or characters an
// image generator must not reproduce. Brand words that are also ordinary words (amazon, dove,
// shell, target, apple, jaguar, subway) appear only in phrases or with cancelling context.
type Row = [phrase: string, weight: number, unless?: readonly string[]];

export const PUBLIC_FIGURES: Row[] = [
  // politics and heads of state
  ['donald trump', 1], ['trump', 0.9, ['card', 'cards', 'suit', 'bridge', 'game', 'tower', 'trick']], ['melania trump', 1], ['ivanka trump', 1], ['joe biden', 1], ['biden', 0.9], ['kamala harris', 1],
  ['barack obama', 1], ['obama', 0.9], ['michelle obama', 1], ['hillary clinton', 1], ['bill clinton', 1], ['george w bush', 1], ['george bush', 1], ['jd vance', 1], ['mike pence', 1], ['nancy pelosi', 1],
  ['bernie sanders', 1], ['alexandria ocasio cortez', 1], ['ron desantis', 1], ['mitch mcconnell', 1], ['vladimir putin', 1], ['putin', 0.9], ['volodymyr zelensky', 1], ['zelensky', 0.9], ['zelenskyy', 0.9],
  ['xi jinping', 1], ['kim jong un', 1], ['kim jong il', 1], ['narendra modi', 1], ['emmanuel macron', 1], ['macron', 0.9], ['angela merkel', 1], ['olaf scholz', 1], ['rishi sunak', 1],
  ['boris johnson', 1], ['keir starmer', 1], ['justin trudeau', 1], ['trudeau', 0.8], ['benjamin netanyahu', 1], ['netanyahu', 0.9], ['recep tayyip erdogan', 1], ['erdogan', 0.9],
  ['jair bolsonaro', 1], ['lula da silva', 1], ['javier milei', 1], ['giorgia meloni', 1], ['viktor orban', 1], ['ali khamenei', 1], ['mohammed bin salman', 1], ['pope francis', 1], ['pope leo', 1],
  ['the pope', 0.6], ['dalai lama', 0.9], ['king charles', 1], ['prince william', 1], ['prince harry', 1], ['meghan markle', 1], ['kate middleton', 1], ['queen elizabeth', 0.9], ['greta thunberg', 1],
  ['osama bin laden', 1], ['adolf hitler', 0.8], ['hitler', 0.6], ['saddam hussein', 1], ['muammar gaddafi', 1], ['bashar al assad', 1],
  // business and technology
  ['elon musk', 1], ['jeff bezos', 1], ['mark zuckerberg', 1], ['zuckerberg', 0.9], ['bill gates', 1], ['warren buffett', 1], ['tim cook', 1], ['sam altman', 1], ['sundar pichai', 1], ['satya nadella', 1],
  ['jensen huang', 1], ['steve jobs', 0.9], ['larry page', 1], ['sergey brin', 1], ['jack ma', 1], ['richard branson', 1], ['peter thiel', 1],
  // entertainment
  ['taylor swift', 1], ['beyonce', 1], ['rihanna', 1], ['lady gaga', 1], ['kanye west', 1], ['kim kardashian', 1], ['kardashian', 0.9], ['kylie jenner', 1], ['ariana grande', 1], ['selena gomez', 1],
  ['justin bieber', 1], ['billie eilish', 1], ['dua lipa', 1], ['adele', 0.8], ['ed sheeran', 1], ['harry styles', 1], ['drake', 0.5, ['duck', 'drakes', 'pond', 'francis', 'mallard']], ['eminem', 1], ['snoop dogg', 1],
  ['jay z', 1], ['nicki minaj', 1], ['cardi b', 1], ['miley cyrus', 1], ['katy perry', 1], ['shakira', 1], ['jennifer lopez', 1], ['madonna', 0.6, ['child', 'painting', 'icon', 'renaissance', 'statue', 'fresco', 'chapel', 'raphael']], ['britney spears', 1],
  ['oprah winfrey', 1], ['oprah', 0.9], ['ellen degeneres', 1], ['tom cruise', 1], ['tom hanks', 1], ['brad pitt', 1], ['angelina jolie', 1], ['leonardo dicaprio', 1], ['scarlett johansson', 1], ['jennifer aniston', 1],
  ['keanu reeves', 1], ['dwayne johnson', 1], ['the rock', 0.3, ['climbing', 'island', 'beach', 'cliff', 'ocean', 'sea', 'waves', 'moss', 'lizard', 'crab']], ['will smith', 1], ['johnny depp', 1], ['emma watson', 1], ['margot robbie', 1], ['zendaya', 1],
  ['timothee chalamet', 1], ['ryan reynolds', 1], ['ryan gosling', 1], ['morgan freeman', 1], ['meryl streep', 1], ['natalie portman', 1], ['jennifer lawrence', 1], ['gal gadot', 1], ['robert downey jr', 1],
  ['chris hemsworth', 1], ['tom holland', 1], ['sydney sweeney', 1], ['jenna ortega', 1], ['millie bobby brown', 1], ['pedro pascal', 1], ['nicolas cage', 1], ['arnold schwarzenegger', 1], ['sylvester stallone', 1],
  ['jackie chan', 1], ['danny devito', 1], ['joe rogan', 1], ['mrbeast', 1], ['mr beast', 1], ['pewdiepie', 1], ['andrew tate', 1], ['jeffrey epstein', 1], ['harvey weinstein', 1], ['bts', 0.6],
  // sport
  ['lionel messi', 1], ['messi', 0.8], ['cristiano ronaldo', 1], ['ronaldo', 0.8], ['lebron james', 1], ['michael jordan', 1], ['serena williams', 1], ['roger federer', 1], ['rafael nadal', 1], ['novak djokovic', 1],
  ['usain bolt', 1], ['tiger woods', 1], ['tom brady', 1], ['kylian mbappe', 1], ['neymar', 1], ['simone biles', 1], ['conor mcgregor', 1], ['mike tyson', 1], ['stephen curry', 1], ['shohei ohtani', 1], ['travis kelce', 1],
];

export const TRADEMARKS: Row[] = [
  // characters and franchises
  ['mickey mouse', 1], ['minnie mouse', 1], ['donald duck', 1], ['pikachu', 1], ['pokemon', 0.9], ['charizard', 1], ['spider man', 1], ['spiderman', 1], ['batman', 1], ['superman', 1], ['wonder woman', 0.9],
  ['iron man', 0.8, ['triathlon', 'race', 'ironman']], ['captain america', 1], ['hulk', 0.7, ['hogan']], ['thor', 0.5, ['god', 'norse', 'mythology', 'viking', 'hammer']], ['darth vader', 1], ['yoda', 1], ['baby yoda', 1], ['grogu', 1], ['star wars', 1], ['stormtrooper', 1], ['stormtroopers', 1],
  ['lightsaber', 0.4], ['harry potter', 1], ['hogwarts', 1], ['hello kitty', 1], ['shrek', 1], ['simpsons', 1], ['homer simpson', 1], ['bart simpson', 1], ['spongebob', 1], ['sponge bob', 1], ['super mario', 1],
  ['mario', 0.6, ['andretti', 'kart']], ['luigi', 0.6], ['princess peach', 1], ['bowser', 0.8], ['sonic the hedgehog', 1], ['winnie the pooh', 1], ['peppa pig', 1], ['bugs bunny', 1], ['daffy duck', 1], ['scooby doo', 1],
  ['garfield', 0.7], ['snoopy', 1], ['charlie brown', 0.8], ['tom and jerry', 0.9], ['buzz lightyear', 1], ['toy story', 1], ['minions', 0.6, ['evil', 'villain']], ['kermit', 0.9], ['muppets', 0.9], ['godzilla', 0.8], ['king kong', 0.8],
  ['james bond', 0.9], ['lara croft', 1], ['master chief', 0.8], ['zelda', 0.9], ['kirby', 0.6], ['pac man', 1], ['pacman', 1], ['minecraft', 0.9], ['fortnite', 0.9], ['optimus prime', 1], ['barbie', 0.9],
  ['teenage mutant ninja turtles', 1], ['ninja turtles', 0.9], ['power rangers', 0.9], ['my little pony', 1], ['care bears', 0.9], ['smurf*', 0.9], ['pink panther', 0.9], ['ronald mcdonald', 1], ['harley quinn', 1],
  ['deadpool', 1], ['thanos', 1], ['groot', 0.9], ['avengers', 0.9], ['totoro', 1], ['naruto', 1], ['goku', 1], ['dragon ball', 1], ['sailor moon', 1], ['hatsune miku', 1], ['doraemon', 1], ['astro boy', 1],
  ['gundam', 0.8], ['ultraman', 1], ['mandalorian', 1], ['gandalf', 0.9], ['frodo', 0.9], ['gollum', 0.9], ['hermione granger', 1], ['elsa and anna', 1], ['olaf the snowman', 1], ['lightning mcqueen', 1],
  ['spongebob squarepants', 1], ['paw patrol', 1], ['bluey', 0.8], ['sesame street', 1], ['big bird', 0.8], ['cookie monster', 1], ['elmo', 0.8], ['ghostbusters', 1], ['jurassic park', 1], ['transformers', 0.6],
  ['the joker', 0.4, ['card', 'cards', 'deck', 'playing', 'poker']], ['wolverine', 0.4, ['animal', 'wild', 'forest', 'snow', 'mammal']], ['marvel comics', 1], ['marvel studios', 1], ['dc comics', 1],
  // brands and logos
  ['coca cola', 1], ['coke logo', 1], ['pepsi', 1], ['nike', 0.8, ['goddess', 'winged', 'victory', 'samothrace']], ['adidas', 1], ['apple logo', 1], ['iphone', 0.7], ['macbook', 0.7], ['google', 0.8], ['microsoft', 0.8],
  ['windows logo', 1], ['starbucks', 1], ['mcdonalds', 1], ['burger king', 1], ['kfc', 1], ['disney', 0.9], ['pixar', 0.9], ['dreamworks', 0.9], ['netflix', 0.9], ['facebook', 0.8], ['instagram', 0.8],
  ['twitter logo', 1], ['tiktok', 0.8], ['youtube', 0.8], ['amazon', 0.6, ['rainforest', 'river', 'jungle', 'basin', 'parrot', 'parrots', 'warrior', 'warriors', 'tribe', 'forest', 'lily', 'frog', 'dolphin', 'queen', 'mythology']],
  ['amazon logo', 1], ['tesla', 0.6, ['coil', 'nikola', 'coils']], ['ferrari', 0.9], ['lamborghini', 0.9], ['porsche', 0.9], ['bmw', 0.9], ['mercedes benz', 0.9], ['audi', 0.8], ['toyota', 0.8],
  ['louis vuitton', 1], ['gucci', 1], ['chanel', 0.9], ['prada', 1], ['rolex', 1], ['hermes birkin', 1], ['lego', 0.6], ['nintendo', 0.9], ['playstation', 0.9], ['xbox', 0.9], ['sega', 0.8],
  ['warner bros', 1], ['harley davidson', 1], ['red bull', 0.8, ['field', 'farm', 'pasture', 'ranch', 'rodeo', 'matador', 'bullfight', 'arena', 'meadow', 'cow', 'cows', 'herd', 'grazing']], ['monster energy', 1],
  ['shell logo', 1], ['target logo', 1], ['walmart', 1], ['ikea', 0.9], ['mastercard', 1], ['paypal', 1], ['olympic rings', 0.8], ['fifa', 0.8], ['nba logo', 1], ['nfl logo', 1], ['hersheys', 0.9], ['oreo', 0.8],
  ['heinz', 0.8], ['doritos', 0.9], ['pringles', 0.9], ['nutella', 0.9], ['spotify', 0.9], ['airbnb', 0.9], ['uber', 0.7, ['alles']], ['openai', 0.8], ['chatgpt', 0.8], ['supreme logo', 1], ['louboutin', 1],
  ['mcdonald', 0.8, ['farm', 'old']], ['golden arches', 0.8], ['swoosh logo', 1], ['trademarked logo', 0.7], ['copyrighted character', 0.7], ['brand logo', 0.6], ['company logo', 0.3],
];
