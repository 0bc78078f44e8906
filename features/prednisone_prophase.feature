@carepath
Feature: The steroid prophase: prednisone 60 mg/m² a day on days 1 to 7
  The seed paper gave a steroid prophase of 60 mg/m²/day at diagnosis; prednisone for 7 days is the
  BFM/Interfant convention. Body surface area by Mosteller: √(height cm × weight kg / 3600). The
  daily dose is rounded to the nearest 1 mg/d, halves away from zero.

  Because √3600 = 60, the dose before rounding is 60 × √(h × w / 3600) = √(h × w) mg/d, with h in cm
  and w in kg: that is how each expected dose below is worked by hand.

  Background:
    Given the protocol "protocols/prednisone_prophase.care"

  Scenario Outline: Height <height>, weight <weight>
    Given a patient "P" with:
      | field  | value    |
      | height | <height> |
      | weight | <weight> |
    When the protocol is evaluated
    Then the decision "prednisone" for patient "P" is "<dose>"
    And the explanation for patient "P" shows "daily on days 1 to 7"

    #   54 cm x 6 kg     = 324     → √ = 18 exactly (BSA 0.3 m²)       → 18 mg/d
    #   64 cm x 9 kg     = 576     → √ = 24 exactly (BSA 0.4 m²)       → 24 mg/d
    #   75 cm x 12 kg    = 900     → √ = 30 exactly (BSA 0.5 m²)       → 30 mg/d
    #   67.5 cm x 7.5 kg = 506.25  → √ = 22.5 exactly, a half, away from zero → 23 mg/d
    #   55 cm x 9.2 kg   = 506     → √ = 22.494…                       → 22 mg/d
    #   70 cm x 8 kg     = 560     → √ = 23.664…                       → 24 mg/d
    #   50 cm x 3.5 kg   = 175     → √ = 13.228…                       → 13 mg/d
    #   0.75 m x 12000 g = 75 cm x 12 kg, units converted first        → 30 mg/d
    Examples:
      | height  | weight  | dose    |
      | 54 cm   | 6 kg    | 18 mg/d |
      | 64 cm   | 9 kg    | 24 mg/d |
      | 75 cm   | 12 kg   | 30 mg/d |
      | 67.5 cm | 7.5 kg  | 23 mg/d |
      | 55 cm   | 9.2 kg  | 22 mg/d |
      | 70 cm   | 8 kg    | 24 mg/d |
      | 50 cm   | 3.5 kg  | 13 mg/d |
      | 0.75 m  | 12000 g | 30 mg/d |

  Scenario: The explanation names the formula and the rounding
    Given a patient "P" with:
      | field  | value |
      | height | 70 cm |
      | weight | 8 kg  |
    When the protocol is evaluated
    Then the explanation for patient "P" shows "prednisone_per_m2 * bsa_mosteller(height, weight)"
    And the explanation for patient "P" shows "rounded to the nearest 1 mg/d"
    And the explanation for patient "P" cites "60 mg/m²/day"

  Scenario: Without a height there is no body surface area and no dose
    Given a patient "P" with:
      | field  | value |
      | height |       |
      | weight | 8 kg  |
    When the protocol is evaluated
    Then patient "P" is undetermined and needs "height"
    And the decision "prednisone" for patient "P" is "undetermined"

  Scenario: A height written in metres as if centimetres is rejected
    Given a patient "P" with:
      | field  | value |
      | height | 70 m  |
      | weight | 8 kg  |
    When the protocol is evaluated
    Then patient "P" is rejected with an error on "height" mentioning "plausible"
