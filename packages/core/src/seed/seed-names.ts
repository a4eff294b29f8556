/**
 * Name pools for demo people. The organisation is Norwegian by default (Europe/Oslo), so the
 * pools are mostly Norwegian, with æ / ø / å kept on purpose: demo data should exercise the
 * same non-ASCII text real data has. E-mail local parts are transliterated in SQL.
 */
export const FIRST_NAMES: readonly string[] = [
  'Anne', 'Inger', 'Kari', 'Marit', 'Ingrid', 'Liv', 'Eva', 'Berit', 'Astrid', 'Bjørg',
  'Hilde', 'Anna', 'Solveig', 'Marianne', 'Randi', 'Ida', 'Nina', 'Maria', 'Elisabeth', 'Kristin',
  'Nora', 'Emma', 'Sofie', 'Ingeborg', 'Sigrid', 'Tone', 'Åse', 'Synnøve', 'Silje', 'Camilla',
  'Jan', 'Per', 'Bjørn', 'Ole', 'Lars', 'Kjell', 'Knut', 'Arne', 'Svein', 'Thomas',
  'Hans', 'Geir', 'Tor', 'Morten', 'Terje', 'Odd', 'Erik', 'Martin', 'Andreas', 'Jon',
  'Jakob', 'Emil', 'Henrik', 'Magnus', 'Sindre', 'Øystein', 'Håkon', 'Ahmed', 'Fatima', 'Mohammed',
  'Piotr', 'Agnieszka', 'Ali', 'Amina', 'Yusuf', 'Leila', 'Tran', 'Linh', 'Nils', 'Sverre',
];

export const LAST_NAMES: readonly string[] = [
  'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen', 'Karlsen',
  'Johnsen', 'Pettersen', 'Eriksen', 'Berg', 'Haugen', 'Hagen', 'Johannessen', 'Andreassen', 'Jacobsen', 'Dahl',
  'Jørgensen', 'Halvorsen', 'Henriksen', 'Lund', 'Sørensen', 'Jakobsen', 'Moen', 'Gundersen', 'Iversen', 'Strand',
  'Solberg', 'Svendsen', 'Eide', 'Knutsen', 'Martinsen', 'Paulsen', 'Bakken', 'Kristoffersen', 'Mathisen', 'Lie',
  'Amundsen', 'Nguyen', 'Rasmussen', 'Ali', 'Lunde', 'Solheim', 'Berge', 'Moe', 'Nygård', 'Bakke',
  'Kowalski', 'Hussain', 'Ahmadi', 'Sæther', 'Aas', 'Østby', 'Fjeld', 'Haugland', 'Vik', 'Myhre',
];
