import { gtinCheckDigit } from './barcode';
import type { Logger } from 'pino';
import type { Db } from '../platform/db/db';
import { InventoryService } from '../inventory';
import { productRepository as products } from './product.repository';

export type DemoItem = [sku: string, name: string, category: string, priceCents: number, vat: number, reorderLevel: number, stock: number];

/**
 * A small, realistic office-supplies catalog; a few items sit near their reorder level on purpose.
 * `make bench-scale` builds its million product names from these words.
 */
export const DEMO_CATALOG: readonly DemoItem[] = [
  ['PAP-A4-80-500', 'Carta A4 80 g/m², risma da 500 fogli', 'Carta', 499, 22, 100, 1200],
  ['PAP-A3-80-500', 'Carta A3 80 g/m², risma da 500 fogli', 'Carta', 1099, 22, 20, 140],
  ['PAP-A4-100-250', 'Carta A4 100 g/m² premium, 250 fogli', 'Carta', 799, 22, 30, 32],
  ['PAP-REC-A4-500', 'Carta riciclata A4, risma da 500 fogli', 'Carta', 549, 22, 50, 400],
  ['NTB-A5-RIGHE', 'Quaderno A5 a righe, 80 pagine', 'Quaderni', 249, 22, 40, 260],
  ['NTB-A4-QUAD', 'Quaderno A4 a quadretti 5 mm', 'Quaderni', 299, 22, 40, 44],
  ['POST-76-YEL', 'Foglietti adesivi 76×76 mm gialli, 12 blocchetti', 'Quaderni', 899, 22, 25, 180],
  ['PEN-BLU-50', 'Penna a sfera blu, confezione da 50', 'Scrittura', 1290, 22, 30, 210],
  ['PEN-NER-50', 'Penna a sfera nera, confezione da 50', 'Scrittura', 1290, 22, 30, 34],
  ['PEN-GEL-RED-12', 'Penna gel rossa, confezione da 12', 'Scrittura', 690, 22, 15, 90],
  ['PNC-HB-12', 'Matita HB, confezione da 12', 'Scrittura', 390, 22, 20, 150],
  ['EVD-ASS-4', 'Evidenziatori assortiti, 4 colori', 'Scrittura', 450, 22, 25, 27],
  ['MRK-WB-4', 'Marcatori per lavagna bianca, 4 colori', 'Scrittura', 590, 22, 20, 75],
  ['CLP-32-1000', 'Fermagli 32 mm, scatola da 1000', 'Piccola cancelleria', 349, 22, 20, 300],
  ['STP-24-6-5000', 'Punti metallici 24/6, scatola da 5000', 'Piccola cancelleria', 199, 22, 30, 500],
  ['STPLR-DESK', 'Cucitrice da scrivania, 30 fogli', 'Piccola cancelleria', 1490, 22, 10, 45],
  ['TAPE-19-33', 'Nastro adesivo trasparente 19 mm × 33 m, 8 rotoli', 'Piccola cancelleria', 599, 22, 20, 18],
  ['SCIS-21', 'Forbici da ufficio 21 cm', 'Piccola cancelleria', 399, 22, 10, 66],
  ['GLUE-STK-40', 'Colla stick 40 g', 'Piccola cancelleria', 229, 22, 30, 120],
  ['BND-A4-LEV-8', 'Raccoglitore a leva A4 dorso 8 cm', 'Archiviazione', 349, 22, 50, 380],
  ['BND-A4-LEV-5', 'Raccoglitore a leva A4 dorso 5 cm', 'Archiviazione', 329, 22, 50, 55],
  ['SHT-PROT-100', 'Buste a perforazione universale, 100 pezzi', 'Archiviazione', 549, 22, 40, 210],
  ['FLD-SUSP-25', 'Cartelle sospese per cassetto, 25 pezzi', 'Archiviazione', 1899, 22, 10, 40],
  ['BOX-ARCH-10', 'Scatola archivio dorso 10 cm', 'Archiviazione', 289, 22, 40, 160],
  ['TNR-HP-85A', 'Toner compatibile HP 85A nero', 'Stampa', 2490, 22, 8, 9],
  ['TNR-BRO-TN2420', 'Toner compatibile Brother TN-2420', 'Stampa', 2790, 22, 8, 36],
  ['INK-EPS-603-MP', 'Cartucce Epson 603, multipack', 'Stampa', 3290, 22, 10, 48],
  ['LBL-A4-24-100', 'Etichette adesive A4, 24 per foglio, 100 fogli', 'Stampa', 1590, 22, 10, 70],
  ['ENV-DL-500', 'Buste DL bianche con finestra, 500 pezzi', 'Spedizione', 2290, 22, 10, 64],
  ['ENV-PAD-C4-50', 'Buste imbottite C4, 50 pezzi', 'Spedizione', 2590, 22, 10, 11],
  ['BOX-SHIP-M-20', 'Scatole di cartone 40×30×30, 20 pezzi', 'Spedizione', 2990, 22, 10, 85],
  ['CALC-DESK-12', 'Calcolatrice da tavolo 12 cifre', 'Ufficio', 1290, 22, 5, 30],
  ['LAMP-LED-DESK', 'Lampada LED da scrivania', 'Ufficio', 3490, 22, 5, 20],
  ['CHAIR-MESH', 'Sedia ergonomica in rete', 'Ufficio', 14900, 22, 2, 12],
  ['WB-90X60', 'Lavagna bianca magnetica 90×60 cm', 'Ufficio', 4590, 22, 3, 4],
  ['CLEAN-WIPES-100', 'Salviette detergenti per schermi, 100 pezzi', 'Pulizia', 699, 22, 20, 95],
  ['COFFEE-1KG', 'Caffè in grani 1 kg', 'Break room', 1890, 10, 10, 50],
  ['WATER-24', 'Acqua naturale 0,5 l, 24 bottiglie', 'Break room', 499, 10, 20, 130],
];

/** An EAN-13 in GS1's prefix 20 for codes used only inside a company (never a real product's), check digit included. */
function demoBarcode(index: number): string {
  const digits = `200000${String(index + 1).padStart(6, '0')}`;
  return `${digits}${gtinCheckDigit(digits)}`;
}

/** Seeds the demo catalog into an empty database only: a database that has products is never touched. */
export async function seedDemoCatalog(db: Db, logger: Logger): Promise<void> {
  const inventory = new InventoryService(db);
  await db.transaction(async (tx) => {
    await products.lockDemoSeed(tx);
    if ((await products.count(tx)) > 0) return;
    for (const [index, [sku, name, category, price, vat, reorder, stock]] of DEMO_CATALOG.entries()) {
      const barcode = demoBarcode(index);
      const product = await products.insert(tx, {
        sku,
        name,
        description: null,
        category,
        barcode,
        unitPriceCents: price,
        vatRate: vat,
        reorderLevel: reorder,
        reorderQuantity: null,
        supplierId: null,
        supplierSku: null,
      });
      await inventory.recordInitialStock(tx, product.id, stock, null, 'demo data');
    }
    logger.info({ products: DEMO_CATALOG.length }, 'seeded the demo catalog');
  });
}
