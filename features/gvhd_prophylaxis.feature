@carepath
Feature: GVHD prophylaxis: cyclosporine to a 150-300 µg/L level, and short-course methotrexate
  Cyclosporine starts at 3.0 mg/kg a day as a continuous 24-hour infusion (from day -1, which the
  seed does not state), rounded to 0.1 mg/d. The level is kept at 150-300, inclusive; the seed prints
  "µg/ml", read as µg/L (= ng/mL). Cyclosporine goes oral once the patient tolerates oral intake.
  Short-course methotrexate follows the Seattle schedule, which the seed does not confirm: 15 mg/m²
  on day +1, then 10 mg/m² on days +3, +6 and +11, with the body surface area by Mosteller and each
  dose rounded to 0.1 mg. Every expected value below is worked by hand.

  Background:
    Given the protocol "protocols/gvhd_prophylaxis.care"

  Scenario Outline: A cyclosporine level of <level> is <verdict>
    Given a patient "P" with:
      | field                 | value   |
      | weight                | 10 kg   |
      | height                | 76 cm   |
      | cyclosporine_level    | <level> |
      | tolerates_oral_intake | false   |
    When the protocol is evaluated
    Then the decision "cyclosporine_level_target" for patient "P" is "<verdict>"
    And the explanation for patient "P" shows "<action>"

    # Bounds are inclusive. 1 µg/mL = 1,000 µg/L and 1 ng/mL = 1 µg/L, so 0.2 µg/mL = 200 µg/L,
    # 0.15 µg/mL = 150 µg/L, 0.1499 µg/mL = 149.9 µg/L, 0.3001 µg/mL = 300.1 µg/L.
    Examples:
      | level        | verdict | action                                              |
      | 0 ug/L       | below   | Below the target range: raise the cyclosporine dose |
      | 120 ug/L     | below   | Below the target range: raise the cyclosporine dose |
      | 149 ug/L     | below   | Below the target range: raise the cyclosporine dose |
      | 0.1499 ug/mL | below   | Below the target range: raise the cyclosporine dose |
      | 150 ug/L     | within  | Within the target range: keep the cyclosporine dose |
      | 0.15 ug/mL   | within  | Within the target range: keep the cyclosporine dose |
      | 200 ug/L     | within  | Within the target range: keep the cyclosporine dose |
      | 0.2 ug/mL    | within  | Within the target range: keep the cyclosporine dose |
      | 250 ng/mL    | within  | Within the target range: keep the cyclosporine dose |
      | 300 ug/L     | within  | Within the target range: keep the cyclosporine dose |
      | 300 ng/mL    | within  | Within the target range: keep the cyclosporine dose |
      | 0.3001 ug/mL | above   | Above the target range: lower the cyclosporine dose |
      | 301 ug/L     | above   | Above the target range: lower the cyclosporine dose |
      | 350 ug/L     | above   | Above the target range: lower the cyclosporine dose |

  Scenario: A level in µg/mL written with the seed's numbers is rejected, with a hint
    # 250 µg/mL is 250,000 µg/L, far above any real level (the plausible range ends at 5,000 µg/L);
    # the same number in µg/L would be plausible, so the message asks whether µg/L was meant.
    Given a patient "P" with:
      | field                 | value     |
      | weight                | 10 kg     |
      | height                | 76 cm     |
      | cyclosporine_level    | 250 ug/mL |
      | tolerates_oral_intake | false     |
    When the protocol is evaluated
    Then patient "P" is rejected with an error on "cyclosporine_level" mentioning "outside the plausible range"
    And patient "P" is rejected with an error on "cyclosporine_level" mentioning "was µg/mL meant as µg/L?"

  Scenario: Without a level the target is undetermined, and the doses are still given
    Given a patient "P" with:
      | field                 | value |
      | weight                | 10 kg |
      | height                | 76 cm |
      | cyclosporine_level    |       |
      | tolerates_oral_intake | false |
    When the protocol is evaluated
    Then patient "P" is undetermined and needs "cyclosporine_level"
    And the decision "cyclosporine_level_target" for patient "P" is "undetermined"
    And the decision "cyclosporine" for patient "P" is "30 mg/d"

  Scenario Outline: Cyclosporine for <weight>
    Given a patient "P" with:
      | field                 | value    |
      | weight                | <weight> |
      | height                | 76 cm    |
      | cyclosporine_level    | 200 ug/L |
      | tolerates_oral_intake | false    |
    When the protocol is evaluated
    Then the decision "cyclosporine" for patient "P" is "<dose>"
    And the explanation for patient "P" shows "continuously from day -1"

    # 3 mg/kg/d x weight, to 0.1 mg/d: 8 → 24; 9.5 → 28.5; 7.35 → 22.05 (a half, away from zero) → 22.1;
    # 12.1 → 36.3; 20 → 60.
    Examples:
      | weight  | dose      |
      | 8 kg    | 24 mg/d   |
      | 9.5 kg  | 28.5 mg/d |
      | 7.35 kg | 22.1 mg/d |
      | 12.1 kg | 36.3 mg/d |
      | 20 kg   | 60 mg/d   |

  Scenario Outline: Oral cyclosporine when oral intake is <tolerated>
    Given a patient "P" with:
      | field                 | value       |
      | weight                | 10 kg       |
      | height                | 76 cm       |
      | cyclosporine_level    | 200 ug/L    |
      | tolerates_oral_intake | <tolerated> |
    When the protocol is evaluated
    Then the decision "switch_cyclosporine_to_oral" for patient "P" is "<switch>"

    Examples:
      | tolerated | switch       |
      | true      | yes          |
      | false     | no           |
      |           | undetermined |

  Scenario Outline: Synthetic transplant patient <patient>
    Given the patients in "cohorts/transplant_examples.yaml"
    When the protocol is evaluated
    Then the decision "cyclosporine" for patient "<patient>" is "<cyclosporine>"
    And the decision "methotrexate_first" for patient "<patient>" is "<MTX day 1>"
    And the decision "methotrexate_later" for patient "<patient>" is "<MTX days 3, 6, 11>"
    And the decision "cyclosporine_level_target" for patient "<patient>" is "<level>"
    And the decision "switch_cyclosporine_to_oral" for patient "<patient>" is "<oral>"

    # Cyclosporine 3 mg/kg/d x weight. With h in cm and w in kg, BSA = √(h x w) / 60, so
    # 15 mg/m² x BSA = √(h x w) / 4 and 10 mg/m² x BSA = √(h x w) / 6, each to 0.1 mg.
    #   T1   72 cm x 8 kg    = 576  → √ 24        → 6 and 4;           CsA 24;   0.2 µg/mL = 200 → within
    #   T2   75 cm x 12 kg   = 900  → √ 30        → 7.5 and 5;         CsA 36;   150 → within (bound)
    #   T3   90 cm x 12.1 kg = 1089 → √ 33        → 8.25 → 8.3 and 5.5; CsA 36.3; 300 ng/mL → within (bound)
    #   T4   96 cm x 15 kg   = 1440 → √ 37.947…   → 9.486… → 9.5 and 6.324… → 6.3; CsA 45; 120 → below
    #   T5   76 cm x 9.5 kg  = 722  → √ 26.870…   → 6.717… → 6.7 and 4.478… → 4.5; CsA 28.5; 350 → above
    #   T6   81 cm x 10 kg   = 810  → √ 28.460…   → 7.115… → 7.1 and 4.743… → 4.7; CsA 30; 149 → below
    #   T7   77 cm x 11 kg   = 847  → √ 29.103…   → 7.275… → 7.3 and 4.850… → 4.9; CsA 33; 301 → above
    #   T8   88 cm x 13 kg   = 1144 → √ 33.823…   → 8.455… → 8.5 and 5.637… → 5.6; CsA 39; 0.25 µg/mL = 250 → within
    #   T9   64 cm x 9 kg    = 576  → √ 24        → 6 and 4;           CsA 27;   200 → within
    #   T10 110 cm x 20 kg   = 2200 → √ 46.904…   → 11.726… → 11.7 and 7.817… → 7.8; CsA 60; 180 → within
    #   T11  66 cm x 7 kg    = 462  → √ 21.494…   → 5.373… → 5.4 and 3.582… → 3.6; CsA 21; 160 → within
    #   T12  86 cm x 14 kg   = 1204 → √ 34.698…   → 8.674… → 8.7 and 5.783… → 5.8; CsA 42; 290 → within
    Examples:
      | patient | cyclosporine | MTX day 1 | MTX days 3, 6, 11 | level  | oral |
      | T1      | 24 mg/d      | 6 mg      | 4 mg              | within | no   |
      | T2      | 36 mg/d      | 7.5 mg    | 5 mg              | within | yes  |
      | T3      | 36.3 mg/d    | 8.3 mg    | 5.5 mg            | within | no   |
      | T4      | 45 mg/d      | 9.5 mg    | 6.3 mg            | below  | yes  |
      | T5      | 28.5 mg/d    | 6.7 mg    | 4.5 mg            | above  | no   |
      | T6      | 30 mg/d      | 7.1 mg    | 4.7 mg            | below  | no   |
      | T7      | 33 mg/d      | 7.3 mg    | 4.9 mg            | above  | yes  |
      | T8      | 39 mg/d      | 8.5 mg    | 5.6 mg            | within | no   |
      | T9      | 27 mg/d      | 6 mg      | 4 mg              | within | no   |
      | T10     | 60 mg/d      | 11.7 mg   | 7.8 mg            | within | yes  |
      | T11     | 21 mg/d      | 5.4 mg    | 3.6 mg            | within | no   |
      | T12     | 42 mg/d      | 8.7 mg    | 5.8 mg            | within | yes  |

  Scenario: The methotrexate schedule and its uncertain source are in the explanation
    Given the patients in "cohorts/transplant_examples.yaml"
    When the protocol is evaluated
    Then the explanation for patient "T2" shows "once on days 3, 6, 11"
    And the explanation for patient "T2" cites "UNCERTAIN"
    And no patient is rejected

  Scenario: Without a weight no amount is computed, and the level still is
    # every amount is per kg or per m² (which needs the weight too): none can be given without it
    Given a patient "W" with:
      | field                 | value    |
      | height                | 80 cm    |
      | cyclosporine_level    | 200 ug/L |
      | tolerates_oral_intake | false    |
    When the protocol is evaluated
    Then patient "W" is undetermined and needs "weight"
    And the decision "cyclosporine" for patient "W" is "undetermined"
    And the decision "methotrexate_first" for patient "W" is "undetermined"
    And the decision "methotrexate_later" for patient "W" is "undetermined"
    And the decision "cyclosporine_level_target" for patient "W" is "within"
